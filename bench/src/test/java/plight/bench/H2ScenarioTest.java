package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The h2 scenario against a real nginx speaking cleartext HTTP/2, the grpc scenario against grpc-java's own
 * health service: requests flow, every answer is counted by what it said, failures are errors.
 */
class H2ScenarioTest {
    @TempDir
    static Path nginxDir;
    static NginxH2c nginx;
    static GrpcHealthServer grpc;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() throws Exception {
        nginx = new NginxH2c(nginxDir, 100_000_000);
        grpc = new GrpcHealthServer(0);
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (grpc != null) {
            grpc.close();
        }
    }

    private BenchRun bench(String... args) throws Exception {
        return BenchRun.withJson(dir, null, args);
    }

    private static Map<?, ?> map(BenchRun r, String key) {
        return (Map<?, ?>) r.json().get(key);
    }

    @Test
    void h2ManyStreamsPerConnectionAgainstNginx() throws Exception {
        BenchRun r = bench("h2", "--url", nginx.url(), "--connections", "4", "--streams", "8", "--duration", "1s",
                "--warmup", "200ms", "--threads", "1");
        r.assertNoErrors("h2");
        assertEquals(Map.of("200", r.number("requests")), map(r, "status"), r.describe());
        assertTrue(r.out().contains("4 h2c connections x 8 streams in flight"), r.describe());
        assertTrue(r.err().contains("answers 200 over h2c"), r.describe());
    }

    @Test
    void h2StreamsBeyondTheServersLimitWaitInsteadOfBeingRefused() throws Exception {
        // nginx allows 128 concurrent streams (http2_max_concurrent_streams); more would be refused
        BenchRun r = bench("h2", "--url", nginx.url(), "--connections", "1", "--streams", "200", "--duration",
                "500ms", "--warmup", "0");
        r.assertNoErrors("h2");
    }

    @Test
    void h2NewConnectionPerCheckAgainstNginx() throws Exception {
        BenchRun r = bench("h2", "--url", nginx.url(), "--connections", "2", "--new-connection", "--duration", "1s",
                "--warmup", "200ms");
        r.assertNoErrors("h2");
        assertEquals(Map.of("200", r.number("requests")), map(r, "status"), r.describe());
        assertTrue(r.out().contains("2 concurrent probers, new h2c connection each"), r.describe());
    }

    @Test
    void h2ServerGoingAwayAfterSomeStreamsIsNotAnError(@TempDir Path other) throws Exception {
        // nginx's default keepalive_requests is 1000: then GOAWAY, and the streams past its last id are refused
        try (NginxH2c goingAway = new NginxH2c(other, 50)) {
            BenchRun r = bench("h2", "--url", goingAway.url(), "--connections", "2", "--streams", "16",
                    "--duration", "1s", "--warmup", "0");
            r.assertNoErrors("h2");
            assertTrue(r.number("requests") > 100, "connections were replaced: " + r.describe());
        }
    }

    @Test
    void h2ComparesTwoTargetsInTurns() throws Exception {
        BenchRun r = bench("h2", "--url", nginx.url(), "--compare", nginx.url(), "--rounds", "2", "--connections",
                "2", "--duration", "300ms", "--warmup", "0");
        assertEquals(0, r.status(), r.describe());
        assertTrue(r.out().contains("A/B"), r.describe());
        assertEquals(2, ((List<?>) map(r, "a").get("runs")).size(), r.describe());
    }

    @Test
    void grpcChecksAreVerifiedAndCountedByServingStatus() throws Exception {
        BenchRun serving = bench("grpc", "--url", grpc.url(), "--connections", "2", "--streams", "4",
                "--duration", "1s", "--warmup", "200ms");
        serving.assertNoErrors("grpc");
        assertEquals(Map.of("0", serving.number("requests")), map(serving, "status"), serving.describe());
        assertEquals(Map.of("SERVING", serving.number("requests")), map(serving, "serving"), serving.describe());
        assertTrue(serving.out().contains("serving (grpc-status 0): SERVING x "), serving.describe());

        BenchRun down = bench("grpc", "--url", grpc.url(), "--service", "down", "--connections", "2",
                "--duration", "500ms", "--warmup", "0");
        down.assertNoErrors("grpc");
        assertEquals(Map.of("NOT_SERVING", down.number("requests")), map(down, "serving"), down.describe());
    }

    @Test
    void grpcUnknownServiceIsAnAnswerWithItsGrpcStatus() throws Exception {
        BenchRun r = bench("grpc", "--url", grpc.url(), "--service", "no-such-service", "--connections", "2",
                "--duration", "500ms", "--warmup", "0");
        r.assertNoErrors("grpc");
        assertEquals(Map.of("5", r.number("requests")), map(r, "status"), "NOT_FOUND: " + r.describe());
        assertEquals(Map.of(), map(r, "serving"), r.describe());
        assertTrue(r.out().contains("grpc-status: 5 x "), r.describe());
    }

    @Test
    void grpcNewConnectionPerCheck() throws Exception {
        BenchRun r = bench("grpc", "--url", grpc.url(), "--connections", "2", "--new-connection",
                "--duration", "1s", "--warmup", "200ms");
        r.assertNoErrors("grpc");
        assertEquals(Map.of("SERVING", r.number("requests")), map(r, "serving"), r.describe());
    }

    @Test
    void grpcAgainstAServerThatIsNotGrpcFailsBeforeTheLoad() throws Exception {
        BenchRun r = bench("grpc", "--url", nginx.url(), "--duration", "500ms");
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("does not answer gRPC health checks"), r.describe());
    }

    @Test
    void h2AgainstAnHttp1OnlyServerFailsBeforeTheLoad() throws Exception {
        try (TestServer http1 = new TestServer(() -> "enabled")) {
            BenchRun r = bench("h2", "--url", http1.url(), "--duration", "500ms", "--timeout", "1s");
            assertEquals(1, r.status(), r.describe());
            assertTrue(r.err().contains(http1.url()), r.describe());
        }
    }

    @Test
    void grpcChecksLeftUnansweredAreTimeoutErrors() throws Exception {
        // answers the first check (the one before the load), then never again
        AtomicBoolean answered = new AtomicBoolean();
        HealthGrpc.HealthImplBase mute = new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
                if (answered.compareAndSet(false, true)) {
                    observer.onNext(HealthCheckResponse.newBuilder()
                            .setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
                    observer.onCompleted();
                }
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(mute)
                .build().start();
        try {
            BenchRun r = bench("grpc", "--url", "http://127.0.0.1:" + server.getPort() + "/", "--connections", "2",
                    "--streams", "2", "--duration", "500ms", "--warmup", "0", "--timeout", "200ms");
            assertEquals(0, r.status(), r.describe());
            assertEquals(0, r.number("requests"), r.describe());
            assertTrue(((Number) map(r, "error_kinds").get("timeout")).longValue() > 0, r.describe());
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
