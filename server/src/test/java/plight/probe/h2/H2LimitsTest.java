package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import plight.config.GrpcSettings;
import plight.probe.ProbeListener;
import plight.testkit.RawHttp;

/**
 * Frames written by hand: what no well-behaved client sends ends in GOAWAY or a refused stream, never in
 * memory that grows, and the port keeps answering HTTP/1 probes meanwhile.
 */
class H2LimitsTest {
    private static final GrpcSettings NO_SERVICES = new GrpcSettings(List.of(), false);
    private static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();
    private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
    /** An empty HealthCheckRequest, framed: service "" (the node). */
    private static final byte[] EMPTY_REQUEST = {0, 0, 0, 0, 0};

    private H2TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private H2TestServer start() throws Exception {
        server = H2TestServer.start();
        return server;
    }

    private void http1StillAnswers() throws Exception {
        assertEquals(200, RawHttp.once(server.port()).code());
    }

    /** The status code of the answer to {@code request} on a new HTTP/1 connection. */
    private int http1Code(String request) throws Exception {
        try (RawHttp h = new RawHttp(server.port())) {
            return h.send(request).read().code();
        }
    }

    /** What a test writes on a new connection. */
    @FunctionalInterface
    private interface Frames {
        void sendTo(RawH2 h2) throws Exception;
    }

    /** On a new connection, {@code frames} end in GOAWAY with {@code error} and the end of input; HTTP/1 still answers. */
    private void assertEndsInGoaway(long error, Frames frames) throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            frames.sendTo(h2);
            assertEquals("GOAWAY " + error, h2.until("GOAWAY"));
            assertEquals("EOF", h2.until("EOF"));
        }
        http1StillAnswers();
    }

    private void startWithTimeouts(Duration requestTimeout, Duration idleTimeout) throws Exception {
        server = H2TestServer.start(NO_SERVICES, requestTimeout, idleTimeout, 1000, ProbeListener.NONE);
    }

    /** A Check call on {@code stream} with {@code message} (prefix included), the client's side ended or not. */
    private static RawH2 check(RawH2 h2, int stream, byte[] message, boolean end) throws IOException {
        return h2.headers(stream, grpc("Check"), false).data(stream, message, end);
    }

    private static Http2Headers grpc(String method) {
        return RawH2.request("POST", "/grpc.health.v1.Health/" + method).set("content-type", "application/grpc")
                .set("te", "trailers");
    }

    /**
     * Request trailers that come after plight has answered (a message too large, a GET with a body) end the
     * client's side of the stream and nothing else: before, they were taken for a new request, answered on a
     * stream already ended, and the connection went down with GOAWAY INTERNAL_ERROR (found by Http2FuzzTest).
     */
    @Test
    void requestTrailersAfterTheAnswerAreIgnoredAndTheConnectionGoesOn() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            check(h2.start(), 1, new byte[] {0, 0, 1, 0, 3}, false);
            assertEquals("HEADERS 1 end :status=200 grpc-status=8", h2.until("HEADERS"));
            h2.headers(1, new DefaultHttp2Headers().set("x-trailer", "1"), true);
            // A GET whose stream the client leaves open is answered at its end (its trailers), once.
            h2.headers(3, RawH2.request("GET", "/"), false);
            h2.headers(3, new DefaultHttp2Headers().set("x-trailer", "1"), true);
            assertEquals("HEADERS 3 :status=200", h2.until("HEADERS"));
            h2.get(5);
            assertEquals("HEADERS 5 :status=200", h2.until(e -> e.startsWith("HEADERS") || e.startsWith("GOAWAY")));
        }
        http1StillAnswers();
    }

    /**
     * A request whose stream the client never ends (a message too large, answered at once) keeps the stream open
     * after its answer; the idle timeout's GOAWAY is followed by the close a moment later, not after Netty's 30 s default
     * (found by Http2FuzzTest: the builder set its own default over the handler's).
     */
    @Test
    void aConnectionWithARequestNeverEndedClosesSoonAfterTheIdleTimeoutsGoaway() throws Exception {
        server = H2TestServer.start(NO_SERVICES, Duration.ofSeconds(1), Duration.ofSeconds(1), 100, ProbeListener.NONE);
        try (RawH2 h2 = new RawH2(server.port())) {
            // A message too large is answered at once; the client's side of the stream stays open.
            check(h2.start(), 1, new byte[] {0, 0, 1, 0, 3}, false);
            assertEquals("HEADERS 1 end :status=200 grpc-status=8", h2.until("HEADERS"));
            assertEquals("GOAWAY 0", h2.until("GOAWAY"));
            // RawH2 gives up reading after 10 s: before, the connection stayed open for 30 s after GOAWAY.
            assertEquals("EOF", h2.next());
        }
        http1StillAnswers();
    }

    @Test
    void aGetIsAnsweredOnItsStream() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().get(1);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            assertEquals("DATA 1 3 end last=10", h2.next());
            h2.get(3);
            assertEquals("HEADERS 3 :status=200", h2.until("HEADERS"));
        }
    }

    @Test
    void aBadPrefaceIsAnHttp1RequestLineNamingHttp2And505() throws Exception {
        start();
        assertEquals(505, http1Code("PRI * HTTP/2.0\r\n\r\nSX\r\n\r\n"));
        assertEquals(505, http1Code("GET / HTTP/2.0\r\n\r\n"));
        http1StillAnswers();
    }

    @Test
    void aFrameBeforeSettingsEndsTheConnectionWithGoaway() throws Exception {
        assertEndsInGoaway(PROTOCOL_ERROR, h2 -> h2.preface().ping(1));
    }

    @Test
    void anOversizedHeaderListIsRefusedWithoutAnAnswer() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, RawH2.request("GET", "/").set("x-big", "x".repeat(20_000)), true);
            String e = h2.until(x -> x.startsWith("HEADERS 1") || x.startsWith("RST 1") || x.startsWith("GOAWAY"));
            assertTrue(e.equals("HEADERS 1 end :status=431") || e.startsWith("RST 1") || e.startsWith("GOAWAY"), e);
        }
        http1StillAnswers();
    }

    @Test
    void rapidResetEndsInGoaway() throws Exception {
        assertEndsInGoaway(ENHANCE_YOUR_CALM, h2 -> {
            h2.start();
            for (int i = 0; i <= H2Connection.MAX_RESETS; i++) {
                int stream = 1 + 2 * i;
                h2.headers(stream, RawH2.request("GET", "/"), false).rst(stream, Http2Error.CANCEL.code());
            }
        });
    }

    @Test
    void aPingFloodEndsInGoaway() throws Exception {
        assertEndsInGoaway(ENHANCE_YOUR_CALM, h2 -> {
            h2.start();
            for (int i = 0; i <= H2Connection.MAX_CONTROL_FRAMES; i++) {
                h2.ping(i);
            }
        });
    }

    @Test
    void aSettingsFloodEndsInGoaway() throws Exception {
        assertEndsInGoaway(ENHANCE_YOUR_CALM, h2 -> {
            h2.start();
            for (int i = 0; i <= H2Connection.MAX_CONTROL_FRAMES; i++) {
                h2.settings(new Http2Settings());
            }
        });
    }

    @Test
    void aWindowUpdateFloodEndsInGoaway() throws Exception {
        assertEndsInGoaway(ENHANCE_YOUR_CALM, h2 -> {
            h2.start();
            for (int i = 0; i <= H2Connection.MAX_CONTROL_FRAMES; i++) {
                h2.windowUpdate(0, 1);
            }
        });
    }

    @Test
    void aSettingsAcknowledgementFloodEndsInGoaway() throws Exception {
        assertEndsInGoaway(ENHANCE_YOUR_CALM, h2 -> {
            h2.start();
            for (int i = 0; i <= H2Connection.MAX_CONTROL_FRAMES; i++) {
                h2.settingsAck();
            }
        });
    }

    @Test
    void unknownFrameTypesAreIgnoredButNotWithoutLimit() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start();
            for (int i = 0; i < 5; i++) {
                h2.frame((byte) 0x42, 0, "hello".getBytes(StandardCharsets.US_ASCII));
            }
            h2.get(1);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            for (int i = 0; i < H2Connection.MAX_CONTROL_FRAMES; i++) {
                h2.frame((byte) 0x42, 0, new byte[0]);
            }
            assertEquals("GOAWAY " + ENHANCE_YOUR_CALM, h2.until("GOAWAY"));
        }
        http1StillAnswers();
    }

    @Test
    void aConnectionThatSendsOnlyThePrefaceIsClosedAtTheRequestTimeout() throws Exception {
        startWithTimeouts(Duration.ofMillis(300), Duration.ofSeconds(60));
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.preface();
            assertEquals("EOF", h2.until("EOF"));
        }
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start();
            assertEquals("GOAWAY 0", h2.until("GOAWAY"));
            assertEquals("EOF", h2.until("EOF"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unfinished")
    void anUnfinishedFrameIsClosedAtTheRequestTimeoutEvenAfterAnswers(String what, byte[] bytes) throws Exception {
        startWithTimeouts(Duration.ofMillis(300), Duration.ofSeconds(60));
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().get(1);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            h2.send(bytes);
            assertEquals("EOF", h2.until("EOF"));
        }
    }

    static Stream<Arguments> unfinished() {
        return Stream.of(
                // a HEADERS frame's first five bytes, then nothing
                Arguments.of("half a frame", new byte[] {0, 0, 10, 1, 4}),
                // HEADERS on stream 3 without END_HEADERS (":method GET", indexed), and no CONTINUATION ever
                Arguments.of("a header block left open", new byte[] {0, 0, 1, 1, 0, 0, 0, 0, 3, (byte) 0x82}));
    }

    @Test
    void anIdleConnectionIsClosedAtTheIdleTimeoutWithGoaway() throws Exception {
        startWithTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300));
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().get(1);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            assertEquals("GOAWAY 0", h2.until("GOAWAY"));
            assertEquals("EOF", h2.until("EOF"));
        }
    }

    @Test
    void streamsBeyondTheLimitAreRefused() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start();
            // Watches without their request message yet: each holds its stream open.
            for (int i = 0; i <= H2Server.MAX_CONCURRENT_STREAMS; i++) {
                h2.headers(1 + 2 * i, grpc("Watch"), false);
            }
            int refused = 1 + 2 * H2Server.MAX_CONCURRENT_STREAMS;
            assertEquals("RST " + refused + " " + Http2Error.REFUSED_STREAM.code(), h2.until("RST"));
            h2.data(1, EMPTY_REQUEST, true);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
        }
        http1StillAnswers();
    }

    @Test
    void aWatchWhoseClientDoesNotReadGetsOnlyTheLatestStatus() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.preface().settings(new Http2Settings().initialWindowSize(0));
            h2.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            for (int i = 0; i < 1001; i++) {
                server.live.show(i % 2 == 0 ? H2TestServer.DISABLED : H2TestServer.ENABLED);
            }
            assertEquals(404, RawHttp.once(server.port()).code(), "HTTP/1 answers meanwhile, the last state shown");
            h2.windowUpdate(1, 1_000_000);
            List<String> data = new ArrayList<>();
            server.close(); // ends the watch with trailers once what is sendable is sent
            for (String e = h2.next(); !e.startsWith("HEADERS 1") && !e.equals("EOF"); e = h2.next()) {
                if (e.startsWith("DATA")) {
                    data.add(e);
                }
            }
            // The first status (queued before the window closed) and the last, nothing in between.
            assertEquals(List.of("DATA 1 7 last=1", "DATA 1 7 last=2"), data);
        }
    }

    @Test
    void grpcWithoutItsContentTypeIs415AndOtherMethods405() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, RawH2.request("POST", "/grpc.health.v1.Health/Check").set("content-type", "text/plain"), true);
            assertEquals("HEADERS 1 :status=415", h2.until("HEADERS"));
            h2.headers(3, RawH2.request("POST", "/"), true);
            assertEquals("HEADERS 3 :status=405", h2.until("HEADERS"));
            h2.headers(5, RawH2.request("PUT", "/"), true);
            assertEquals("HEADERS 5 :status=405", h2.until("HEADERS"));
        }
    }

    @Test
    void aCompressedMessageIsUnimplemented() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            check(h2.start(), 1, new byte[] {1, 0, 0, 0, 0}, true);
            assertEquals("HEADERS 1 end :status=200 grpc-status=12", h2.until("HEADERS"));
            check(h2, 5, EMPTY_REQUEST, true);
            assertEquals("HEADERS 5 :status=200", h2.until("HEADERS"));
            assertEquals("DATA 5 7 last=1", h2.next());
            assertEquals("HEADERS 5 end grpc-status=0", h2.next());
        }
    }

    @Test
    void grpcTimeoutEndsAWatchWithDeadlineExceeded() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, grpc("Watch").set("grpc-timeout", "200m"), false).data(1, EMPTY_REQUEST, true);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            assertEquals("DATA 1 7 last=1", h2.next());
            assertEquals("HEADERS 1 end grpc-status=4", h2.until("HEADERS"));
        }
    }

    @Test
    void anUpgradeWithMalformedSettingsIsAnsweredInHttp1() throws Exception {
        start();
        assertEquals(200, http1Code("GET / HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: !!\r\n\r\n"));
    }

    @Test
    void anUpgradeIsOnlyTakenByAnHttp11RequestThatKeepsTheConnection() throws Exception {
        start();
        String settings = "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n";
        try (RawHttp h = new RawHttp(server.port())) {
            h.send("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\nUpgrade: h2c\r\n" + settings + "\r\n");
            RawHttp.Response r = h.read();
            assertEquals("HTTP/1.1", r.version());
            assertEquals(200, r.code());
        }
        try (RawHttp h = new RawHttp(server.port())) {
            h.send("GET / HTTP/1.0\r\nUpgrade: h2c\r\n" + settings + "\r\n");
            RawHttp.Response r = h.read();
            assertEquals("HTTP/1.0", r.version());
            assertEquals(200, r.code());
        }
        assertEquals(101, http1Code("GET / HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + settings + "\r\n"));
    }

    @Test
    void probesOverHttp2AndGrpcAreToldToTheSourceTableWithTheirUserAgent() throws Exception {
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProbeListener listener = new ProbeListener() {
            @Override
            public void served(java.net.InetSocketAddress remote, plight.state.State state) {
                told.add(state.name() + " -");
            }

            @Override
            public void served(java.net.InetSocketAddress remote, plight.state.State state, String userAgent, String serverState) {
                told.add(state.name() + " " + userAgent);
            }
        };
        server = H2TestServer.start(NO_SERVICES, Duration.ofSeconds(5), Duration.ofSeconds(60), 1000, listener);
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, RawH2.request("GET", "/").set("user-agent", "kube-probe/1.31"), true);
            h2.until("HEADERS 1");
            h2.headers(3, grpc("Check").set("user-agent", "grpc-go/1.60.1"), false).data(3, EMPTY_REQUEST, true);
            h2.until("HEADERS 3 end");
            h2.get(5);
            h2.until("HEADERS 5");
        }
        assertEquals(List.of("enabled kube-probe/1.31", "enabled grpc-go/1.60.1", "enabled -"), told);
    }

    @Test
    void connectionsAreCountedByProtocol() throws Exception {
        start();
        try (RawH2 h2 = new RawH2(server.port()); RawH2 g = new RawH2(server.port())) {
            h2.start().get(1);
            h2.until("HEADERS");
            check(g.start(), 1, EMPTY_REQUEST, true);
            g.until("HEADERS 1 end");
            assertEquals(1, server.http2.openH2());
            assertEquals(1, server.http2.openGrpc());
            assertEquals(2, server.server.openConnections());
        }
        plight.testkit.Await.until(() -> server.server.openConnections() == 0, Duration.ofSeconds(10), "connections closed");
        assertEquals(0, server.http2.openH2() + server.http2.openGrpc());
    }
}
