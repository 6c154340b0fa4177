package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import plight.testkit.RawHttp;

/** Malformed requests and odd gRPC calls get what RFC 9113, RFC 7540 and grpc-java's servers give them. */
class H2StrictnessTest {
    private static final byte[] EMPTY_REQUEST = {0, 0, 0, 0, 0};
    private static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();

    @AutoClose
    private H2TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = H2TestServer.start();
    }

    private static Http2Headers grpc(String method) {
        return RawH2.request("POST", "/grpc.health.v1.Health/" + method).set("content-type", "application/grpc")
                .set("te", "trailers");
    }

    @Test
    void aRequestWithoutPathOrMethodIsResetWithProtocolErrorAndTheConnectionGoesOn() throws Exception {
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, new DefaultHttp2Headers().method("GET").scheme("http").authority("lb"), true);
            assertEquals("RST 1 " + PROTOCOL_ERROR, h2.until(e -> e.startsWith("RST") || e.startsWith("HEADERS")));
            h2.headers(3, new DefaultHttp2Headers().path("/").scheme("http").authority("lb"), true);
            assertEquals("RST 3 " + PROTOCOL_ERROR, h2.until(e -> e.startsWith("RST") || e.startsWith("HEADERS")));
            h2.get(5);
            assertEquals("HEADERS 5 :status=200", h2.until("HEADERS"));
        }
    }

    @Test
    void anUpgradeWithTwoHttp2SettingsFieldsIsAnsweredInHttp1() throws Exception {
        try (RawHttp h = new RawHttp(server.port())) {
            h.send("GET / HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: \r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n");
            assertEquals(200, h.read().code());
        }
    }

    @Test
    void aUnaryCallWithoutItsMessageOrWithTwoIsInternal() throws Exception {
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, grpc("Check"), true);
            assertEquals("HEADERS 1 end :status=200 grpc-status=13", h2.until("HEADERS 1"));
            h2.headers(3, grpc("List"), false).data(3, new byte[0], true);
            assertEquals("HEADERS 3 end :status=200 grpc-status=13", h2.until("HEADERS 3"));
            h2.headers(5, grpc("Check"), false).data(5, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true);
            assertEquals("HEADERS 5 end :status=200 grpc-status=13", h2.until("HEADERS 5"));
            h2.headers(7, grpc("Check"), false).data(7, EMPTY_REQUEST, false).data(7, EMPTY_REQUEST, true);
            assertEquals("HEADERS 7 end :status=200 grpc-status=13", h2.until("HEADERS 7"));
            // One message, then the end of the request in trailers: answered.
            h2.headers(9, grpc("Check"), false).data(9, EMPTY_REQUEST, false).headers(9, new DefaultHttp2Headers(), true);
            assertEquals("HEADERS 9 :status=200", h2.until("HEADERS 9"));
            assertEquals("DATA 9 7 last=1", h2.next());
            assertEquals("HEADERS 9 end grpc-status=0", h2.next());
        }
    }

    @Test
    void anUncompressedMessageIsAnsweredWhateverGrpcEncodingSaysAndAnswersAcceptOnlyIdentity() throws Exception {
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, grpc("Check").set("grpc-encoding", "gzip"), false).data(1, EMPTY_REQUEST, true);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            assertEquals("identity", String.valueOf(h2.firstHeaders.get(1).get("grpc-accept-encoding")));
            assertEquals("DATA 1 7 last=1", h2.next());
            assertEquals("HEADERS 1 end grpc-status=0", h2.next());
        }
    }

    @Test
    void aProbeWithABodyIsABadRequestAsOverHttp1AndOneWithoutIsAnsweredAtItsEnd() throws Exception {
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start().headers(1, RawH2.request("GET", "/"), false).data(1, "x".getBytes(), true);
            assertEquals("HEADERS 1 :status=400", h2.until("HEADERS 1"));
            h2.headers(3, RawH2.request("HEAD", "/"), false).data(3, "x".getBytes(), false);
            assertEquals("HEADERS 3 :status=400", h2.until("HEADERS 3"));
            h2.headers(5, RawH2.request("GET", "/"), false).data(5, new byte[0], true);
            assertEquals("HEADERS 5 :status=200", h2.until("HEADERS 5"));
            h2.headers(7, RawH2.request("GET", "/"), false).headers(7, new DefaultHttp2Headers(), true);
            assertEquals("HEADERS 7 :status=200", h2.until("HEADERS 7"));
        }
    }

    @Test
    void framesOnARefusedStreamDoNotEndTheConnectionsOtherStreams() throws Exception {
        try (RawH2 h2 = new RawH2(server.port())) {
            h2.start();
            for (int i = 0; i < H2Server.MAX_CONCURRENT_STREAMS; i++) {
                h2.headers(1 + 2 * i, grpc("Watch"), false).data(1 + 2 * i, EMPTY_REQUEST, true);
            }
            int refused = 1 + 2 * H2Server.MAX_CONCURRENT_STREAMS;
            h2.headers(refused, grpc("Watch"), false);
            assertEquals("RST " + refused + " " + Http2Error.REFUSED_STREAM.code(), h2.until("RST"));
            h2.rst(refused, Http2Error.CANCEL.code()).data(refused, EMPTY_REQUEST, true);
            server.live.show(H2TestServer.DISABLED);
            assertEquals("DATA 1 7 last=2", h2.until(e -> e.startsWith("DATA 1 7 last=2") || e.startsWith("GOAWAY")));
        }
    }
}
