package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.control.Reply;
import plight.control.server.ControlWire;
import plight.grpc.Watcher;

/** A gRPC watch on the real daemon follows every way its state changes: CLI changes, a reload, a TTL running out. */
@Timeout(60)
class GrpcWatchTest {
    @TempDir
    Path dir;

    private static void ok(Reply r) {
        assertTrue(r.isOk(), r::render);
    }

    @Test
    void aWatchSeesDisableEnableReloadAndTtlExpiry() throws Exception {
        ManagedChannel channel = null;
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            Watcher watch = Watcher.watch(HealthGrpc.newStub(channel), "");
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());

            ok(w.call("set disabled reason=grpc"));
            assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, watch.next());
            ok(w.call("set enabled reason=grpc"));
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());

            // A reload that keeps the state but tells gRPC otherwise.
            LiveNode.writeConf(dir, LiveNode.CONF.replace("code = 200\nmessage = OK", "code = 200\nmessage = OK\ngrpc = not_serving"));
            ok(node.reloadBySignal());
            assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, watch.next());
            LiveNode.writeConf(dir, LiveNode.CONF);
            ok(node.reloadBySignal());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next());

            ok(w.call("set offline ttl=1s reason=short"));
            assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, watch.next());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch.next(), "the ttl ran out");
            assertTrue(watch.seen.isEmpty(), watch.seen::toString);
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
