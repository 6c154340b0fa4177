package plight.probe.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import plight.probe.ResponseTable;
import plight.state.State;
import plight.text.Timestamps;

/**
 * Every HTTP/2 answer for one {@link ResponseTable} (one state, one second's {@code Date}): the header objects
 * each connection's HPACK encoder reads, and the bodies in read-only buffers that writers duplicate. Rendered
 * once per table, by the first request that finds a new table; immutable after.
 */
final class H2Answers {
    /** RFC 9113 8.2.2: connection-specific fields must not appear in HTTP/2. */
    private static final Set<String> CONNECTION_SPECIFIC = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te");

    private static final ByteBuf METHOD_NOT_ALLOWED_BODY = readOnly("Method Not Allowed\n".getBytes(StandardCharsets.US_ASCII));
    private static final ByteBuf BAD_REQUEST_BODY = readOnly("Bad Request\n".getBytes(StandardCharsets.US_ASCII));
    private static final ByteBuf UNSUPPORTED_MEDIA_TYPE_BODY =
            readOnly("Unsupported Media Type\n".getBytes(StandardCharsets.US_ASCII));

    final ResponseTable table;
    final State state;
    /** The probe's answer (GET, OPTIONS, and HEAD without the body). */
    final Http2Headers probe;
    /** {@code null} for a status that has no content (1xx, 204, 304). */
    final ByteBuf body;
    final Http2Headers methodNotAllowed;
    final ByteBuf methodNotAllowedBody = METHOD_NOT_ALLOWED_BODY;
    final Http2Headers unsupportedMediaType;
    /** A probe with a body, as over HTTP/1. */
    final Http2Headers badRequest;
    final ByteBuf badRequestBody = BAD_REQUEST_BODY;
    final ByteBuf unsupportedMediaTypeBody = UNSUPPORTED_MEDIA_TYPE_BODY;
    /** Probes answered with this state, over HTTP/2 and over gRPC; counters that outlive tables. */
    final LongAdder h2Served;
    final LongAdder grpcServed;

    private H2Answers(ResponseTable table, LongAdder h2Served, LongAdder grpcServed) {
        this.table = table;
        this.state = table.state();
        this.h2Served = h2Served;
        this.grpcServed = grpcServed;
        AsciiString date = new AsciiString(Timestamps.httpDate(table.epochSecond()));
        int code = state.code();
        boolean bodyless = code < 200 || code == 204 || code == 304;
        byte[] text = (state.message() + "\n").getBytes(StandardCharsets.UTF_8);
        probe = common(code, date);
        if (!bodyless) {
            probe.setInt("content-length", text.length);
        }
        probe.set("cache-control", "no-store");
        probe.set("x-plight-state", state.name());
        for (Map.Entry<String, String> header : state.headers().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!CONNECTION_SPECIFIC.contains(name)) {
                probe.add(name, header.getValue());
            }
        }
        body = bodyless ? null : readOnly(text);
        methodNotAllowed = failure(405, date, methodNotAllowedBody).set("allow", "GET, HEAD, OPTIONS");
        unsupportedMediaType = failure(415, date, unsupportedMediaTypeBody);
        badRequest = failure(400, date, badRequestBody);
    }

    static H2Answers render(ResponseTable table, LongAdder h2Served, LongAdder grpcServed) {
        return new H2Answers(table, h2Served, grpcServed);
    }

    private static Http2Headers common(int code, AsciiString date) {
        return new DefaultHttp2Headers(false).status(AsciiString.of(Integer.toString(code)))
                .set("server", "plight").set("date", date).set("content-type", "text/plain; charset=utf-8");
    }

    private static Http2Headers failure(int code, AsciiString date, ByteBuf body) {
        return common(code, date).setInt("content-length", body.readableBytes()).set("cache-control", "no-store");
    }

    private static ByteBuf readOnly(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer()));
    }
}
