package plight.bench;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What the h2 and grpc scenarios send on each stream: a header block, the same for every request (HPACK makes
 * its repeats a few bytes), and for gRPC one request message.
 *
 * @param headers the request's header block; never modified after construction (it is shared by every stream)
 * @param message the length-prefixed gRPC request message, or {@code null} for a GET (END_STREAM on HEADERS)
 */
record H2Call(Http2Headers headers, byte[] message) {
    private static final AsciiString GRPC_CONTENT_TYPE = AsciiString.cached("application/grpc");
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");

    boolean grpc() {
        return message != null;
    }

    /** {@code GET} of the target's path, as a load balancer's HTTP/2 health check sends it. */
    static H2Call get(Target target) {
        return new H2Call(new DefaultHttp2Headers()
                .method("GET").scheme("http").authority(target.hostHeader).path(target.requestTarget)
                .add("user-agent", Ahc.USER_AGENT), null);
    }

    /** {@code grpc.health.v1.Health/Check} for {@code service}, as grpc-java and grpc-go send it. */
    static H2Call grpcCheck(Target target, String service) {
        return new H2Call(new DefaultHttp2Headers()
                .method("POST").scheme("http").authority(target.hostHeader).path(GrpcHealth.CHECK_PATH)
                .add(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE, GRPC_CONTENT_TYPE)
                .add(TE, TRAILERS)
                .add("user-agent", Ahc.USER_AGENT), GrpcHealth.checkRequest(service));
    }

    static H2Call of(Settings s, Target target) {
        return s.scenario() == Scenario.GRPC ? grpcCheck(target, s.service()) : get(target);
    }
}
