package plight.probe;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import plight.config.GrpcSettings;
import plight.grpc.HealthMessages;
import plight.probe.h2.FrameListener;
import plight.probe.h2.H2Server;

/**
 * The probe port's HTTP/2 and gRPC paths ({@code plight.probe.h2}, {@code plight.grpc}), fuzzed as whole connections
 * through the probe port's pipeline (RELIABILITY.md, "Fuzzing"). {@code mvn verify} replays
 * {@code src/test/resources/plight/probe/Http2FuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class Http2FuzzTest {
    private static final Duration REQUEST_TIMEOUT = EmbeddedProbe.REQUEST_TIMEOUT;
    private static final Duration IDLE_TIMEOUT = EmbeddedProbe.IDLE_TIMEOUT;
    /** An HTTP/1.1 probe that asks for h2c with curl's settings; the client's preface follows the 101. */
    private static final byte[] UPGRADE = ("GET / HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(US_ASCII);
    private static final byte[] SWITCHING = "HTTP/1.1 101 Switching Protocols\r\n".getBytes(US_ASCII);
    private static final int DEFAULT_MAX_FRAME = 16_384;
    /** The statuses plight answers a gRPC call with: OK, DEADLINE_EXCEEDED, NOT_FOUND, RESOURCE_EXHAUSTED,
     * UNIMPLEMENTED, INTERNAL (a malformed message), UNAVAILABLE (stopping, or NOT_SERVING as 14). */
    private static final Set<String> GRPC_STATUSES = Set.of("0", "4", "5", "8", "12", "13", "14");
    private static final String[] PATHS = {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
        "/grpc.health.v1.Health/List", "/grpc.health.v1.Health/Nope"};
    private static final List<String> CONTENT_TYPES = List.of("application/grpc", "application/grpc+proto",
            "application/grpc; charset=utf-8");
    private static final List<String> TIMEOUTS = List.of("1n", "100m", "1S", "99999999H", "0m", "-1S", "");
    private static final List<String> SERVICES = List.of("a", "b");
    private static final int GOAWAY = 7;
    private static final int RST_STREAM = 3;

    /**
     * Any bytes after the HTTP/2 preface (sent as prior knowledge, or after an {@code Upgrade: h2c} probe), in any
     * reads, with or without the client's end of input: nothing thrown out of the pipeline, no error report, no
     * buffer leaked, the connection ends within the time limits (or, holding a gRPC watch, at end of input), and
     * what is written is a sequence of well-formed HTTP/2 frames within the client's frame size, bounded by the input.
     */
    @FuzzTest(maxDuration = "3m")
    void anyBytesAfterThePrefaceGetWellFormedFramesAndTheConnectionEnds(FuzzedDataProvider data) {
        boolean eof = data.consumeBoolean();
        boolean upgrade = data.consumeBoolean();
        int[] sizes = sizes(data);
        byte[] frames = data.consumeRemainingAsBytes();
        byte[] input = concat(upgrade ? concat(UPGRADE, Http2Switch.PREFACE) : Http2Switch.PREFACE, frames);
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        H2Server h2 = new H2Server(live, new CheckingListener(true), new GrpcSettings(SERVICES, false), REQUEST_TIMEOUT,
                IDLE_TIMEOUT);
        try (EmbeddedProbe probe = new EmbeddedProbe(live, new CheckingListener(true), h2)) {
            probe.feed(input, sizes);
            if (eof && probe.channel.isOpen()) {
                probe.endOfInput();
            }
            probe.advance(REQUEST_TIMEOUT.plusSeconds(1)).advance(IDLE_TIMEOUT.plusSeconds(1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(probe.output());
            if (probe.channel.isOpen() && !goneAway(out.toByteArray(), upgrade)) {
                assertTrue(checkFrames(out.toByteArray(), upgrade, maxFrameSize(frames)) > 0,
                        "open after every time limit without a watch");
                probe.endOfInput().advance(Duration.ofSeconds(1));
                out.writeBytes(probe.output());
            }
            ended(probe, out.toByteArray(), upgrade);
            byte[] written = out.toByteArray();
            checkFrames(written, upgrade, maxFrameSize(frames));
            assertTrue(written.length <= 1024 + 64L * input.length, written.length + " bytes written for " + input.length);
        }
    }

    /**
     * A well-behaved HTTP/2 client calling {@code Check}, {@code Watch}, {@code List} or an unknown method, with
     * any request message (any gRPC length prefix, compressed flag, protobuf bytes; cut short or not), any
     * {@code grpc-timeout}, in any reads: every call ends with trailers whose {@code grpc-status} is one plight
     * answers with, or with RST_STREAM (a message that never came), never with an error of the server; every
     * DATA frame carries whole gRPC messages of a health response; the connection ends with GOAWAY NO_ERROR.
     */
    @FuzzTest(maxDuration = "3m")
    void grpcCallsWithAnyMessagesEndWithAStatusOrAReset(FuzzedDataProvider data) throws Http2Exception {
        boolean unavailable = data.consumeBoolean();
        int[] sizes = sizes(data);
        ClientFrames client = new ClientFrames();
        client.preface();
        int calls = data.consumeInt(1, 4);
        for (int i = 0; i < calls; i++) {
            call(data, client, 1 + 2 * i);
        }
        byte[] input = client.bytes();
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        H2Server h2 = new H2Server(live, new CheckingListener(true), new GrpcSettings(SERVICES, unavailable), REQUEST_TIMEOUT,
                IDLE_TIMEOUT);
        try (EmbeddedProbe probe = new EmbeddedProbe(live, new CheckingListener(true), h2)) {
            probe.feed(input, sizes);
            probe.advance(REQUEST_TIMEOUT.plusSeconds(1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(probe.output());
            if (probe.channel.isOpen() && !goneAway(out.toByteArray(), false)) {
                probe.endOfInput().advance(Duration.ofSeconds(1)); // watches end with 14, then GOAWAY
                out.writeBytes(probe.output());
            }
            ended(probe, out.toByteArray(), false);
            Map<Integer, Answer> answers = ServerFrames.read(out.toByteArray());
            for (int i = 0; i < calls; i++) {
                int stream = 1 + 2 * i;
                Answer a = answers.get(stream);
                assertNotNull(a, "stream " + stream + " got no answer: " + answers);
                assertTrue(a.reset != null || GRPC_STATUSES.contains(a.grpcStatus),
                        "stream " + stream + " did not end with a status or a reset: " + a);
                assertNotEquals(Long.valueOf(Http2Error.INTERNAL_ERROR.code()), a.reset, "stream " + stream);
                if (a.status != null) {
                    assertEquals("200", a.status, "stream " + stream);
                }
                a.checkMessages();
            }
            assertNotNull(answers.get(0), "no GOAWAY");
            assertEquals(Long.valueOf(Http2Error.NO_ERROR.code()), answers.get(0).reset,
                    "GOAWAY's error code; its debug data: " + answers.get(0).debug);
        }
    }

    /** One call on {@code stream}: headers, then (mostly) a request message in DATA frames, ended or not. */
    private static void call(FuzzedDataProvider data, ClientFrames client, int stream) {
        Http2Headers headers = new DefaultHttp2Headers().method("POST").path(PATHS[data.consumeInt(0, PATHS.length - 1)])
                .scheme("http").authority("lb").set("content-type", data.pickValue(CONTENT_TYPES)).set("te", "trailers");
        if (data.consumeBoolean()) {
            // Any text a client may send as a header value (visible ASCII, inner spaces): Netty's client refuses others.
            headers.set("grpc-timeout", data.consumeBoolean()
                    ? data.consumeAsciiString(12).replaceAll("[^\\x20-\\x7e]", " ").strip() : data.pickValue(TIMEOUTS));
        }
        if (data.consumeBoolean()) {
            headers.set("grpc-encoding", data.pickValue(List.of("identity", "gzip")));
        }
        boolean endOnHeaders = data.consumeInt(0, 7) == 0;
        client.headers(stream, headers, endOnHeaders);
        if (endOnHeaders) {
            return;
        }
        byte[] proto = data.consumeBytes(data.consumeInt(0, 300));
        byte flag = data.consumeBoolean() ? data.consumeByte() : 0;
        int length = data.consumeBoolean() ? data.consumeInt() : proto.length;
        byte[] message = concat(new byte[] {flag, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8),
            (byte) length}, proto);
        int keep = data.consumeBoolean() ? data.consumeInt(0, message.length) : message.length;
        int pieces = data.consumeInt(1, 3);
        boolean endWithData = data.consumeBoolean();
        int at = 0;
        for (int p = 1; p <= pieces; p++) {
            int to = p == pieces ? keep : data.consumeInt(at, keep);
            boolean end = p == pieces && endWithData;
            // An empty DATA frame only to end the stream: more than two in a row end the connection (a flood).
            if (to > at || end) {
                client.data(stream, Arrays.copyOfRange(message, at, to), end);
            }
            at = to;
        }
        if (!endWithData && data.consumeBoolean()) {
            client.headers(stream, new DefaultHttp2Headers().set("x-trailer", "1"), true);
        }
    }

    private static int[] sizes(FuzzedDataProvider data) {
        int[] sizes = new int[data.consumeInt(0, 12)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = data.consumeInt(0, 300);
        }
        return sizes;
    }

    /**
     * The connection is closed, or closing: it has sent GOAWAY and waits for its streams, at most for the graceful
     * close timeout. {@code EmbeddedChannel} never runs Netty's timer for that (its task is not among the loop's
     * scheduled ones), so the harness closes the channel in its place; {@code H2LimitsTest
     * #aConnectionWithARequestNeverEndedClosesSoonAfterTheIdleTimeoutsGoaway} checks that timer on a real socket.
     */
    private static void ended(EmbeddedProbe probe, byte[] out, boolean upgrade) {
        if (probe.channel.isOpen()) {
            assertTrue(goneAway(out, upgrade), "connection still open after the time limits and end of input, no GOAWAY");
            probe.channel.unsafe().close(probe.channel.voidPromise());
            probe.channel.runPendingTasks();
        }
        assertFalse(probe.channel.isOpen());
    }

    /** Whether the server's frames (whole, as written so far) include a GOAWAY. */
    private static boolean goneAway(byte[] out, boolean upgrade) {
        int at = upgrade ? Math.max(0, indexOf(out, "\r\n\r\n".getBytes(US_ASCII)) + 4) : 0;
        while (at + 9 <= out.length) {
            if (out[at + 3] == GOAWAY) {
                return true;
            }
            at += 9 + u24(out, at);
        }
        return false;
    }

    /** The largest SETTINGS_MAX_FRAME_SIZE the client's well-formed SETTINGS frames could have set. */
    private static int maxFrameSize(byte[] frames) {
        int max = DEFAULT_MAX_FRAME;
        for (int i = 0; i + 9 <= frames.length; ) {
            int length = u24(frames, i);
            int type = frames[i + 3];
            boolean ack = (frames[i + 4] & 1) != 0;
            int stream = u31(frames, i + 5);
            if (type == 4 && !ack && stream == 0 && length % 6 == 0) {
                for (int s = i + 9; s + 6 <= Math.min(frames.length, i + 9 + length); s += 6) {
                    long value = (frames[s + 2] & 0xffL) << 24 | (frames[s + 3] & 0xff) << 16
                            | (frames[s + 4] & 0xff) << 8 | frames[s + 5] & 0xff;
                    if ((frames[s] & 0xff) == 0 && frames[s + 1] == 5 && value >= DEFAULT_MAX_FRAME
                            && value <= 0xffffff) {
                        max = Math.max(max, (int) value);
                    }
                }
            }
            i += 9 + length;
        }
        return max;
    }

    /**
     * Walks the frames the server wrote (after the 101 answer of an upgrade): each whole, of a type a server sends,
     * within the client's frame size, on the right kind of stream, of the right size; never an INTERNAL_ERROR.
     *
     * @return how many streams were answered with HEADERS and never ended: gRPC watches
     */
    private static int checkFrames(byte[] out, boolean upgrade, int maxFrameSize) {
        int at = 0;
        if (upgrade) {
            assertTrue(startsWith(out, SWITCHING), "no 101 to the upgrade: " + new String(out, US_ASCII));
            at = indexOf(out, "\r\n\r\n".getBytes(US_ASCII)) + 4;
        }
        Map<Integer, Boolean> openStreams = new HashMap<>();
        boolean first = true;
        while (at < out.length) {
            assertTrue(out.length - at >= 9, "a frame header cut short at " + at);
            int length = u24(out, at);
            int type = out[at + 3];
            int flags = out[at + 4] & 0xff;
            assertEquals(0, out[at + 5] & 0x80, "reserved bit set");
            int stream = u31(out, at + 5);
            String frame = "frame type " + type + " length " + length + " stream " + stream + " at " + at;
            assertTrue(length <= maxFrameSize, frame + ": over the client's frame size " + maxFrameSize);
            assertTrue(at + 9 + length <= out.length, frame + ": cut short");
            if (first) {
                assertTrue(type == 4 && flags == 0, "the server's preface is not SETTINGS: " + frame);
                first = false;
            }
            switch (type) {
                case 0, 1, 9 -> {
                    assertTrue(stream % 2 == 1, frame + ": not a client's stream");
                    if ((flags & 1) != 0) {
                        openStreams.remove(stream);
                    } else {
                        openStreams.put(stream, true);
                    }
                }
                case RST_STREAM -> {
                    assertTrue(stream != 0 && length == 4, frame);
                    assertNotEquals(Http2Error.INTERNAL_ERROR.code(), (long) u31(out, at + 9), frame);
                    openStreams.remove(stream);
                }
                case 4 -> assertTrue(stream == 0 && length % 6 == 0 && ((flags & 1) == 0 || length == 0), frame);
                case 6 -> assertTrue(stream == 0 && length == 8, frame);
                case GOAWAY -> {
                    assertTrue(stream == 0 && length >= 8, frame);
                    assertNotEquals(Http2Error.INTERNAL_ERROR.code(), (long) u31(out, at + 13), frame + " INTERNAL_ERROR");
                }
                case 8 -> assertTrue(length == 4, frame);
                default -> throw new AssertionError("the server wrote " + frame);
            }
            at += 9 + length;
        }
        return openStreams.size();
    }

    /** What the server answered on one stream (0: the connection, its GOAWAY's error code in {@code reset}). */
    private static final class Answer {
        String status;
        String grpcStatus;
        Long reset;
        String debug;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        /** The DATA of a call is whole gRPC messages, uncompressed, each a health response. */
        void checkMessages() {
            ByteBuf in = Unpooled.wrappedBuffer(data.toByteArray());
            while (in.isReadable()) {
                assertTrue(in.readableBytes() >= 5, "a gRPC message prefix cut short");
                assertEquals(0, in.readByte(), "compressed flag");
                int length = in.readInt();
                assertTrue(length >= 0 && length <= in.readableBytes(), "message length " + length);
                assertNotNull(HealthMessages.service(in, in.readerIndex(), in.readerIndex() + length), "not protobuf");
                in.skipBytes(length);
            }
        }

        @Override
        public String toString() {
            return ":status=" + status + " grpc-status=" + grpcStatus + " reset=" + reset + " data=" + data.size();
        }
    }

    /** Reads the server's frames with Netty's own reader: anything malformed throws. */
    private static final class ServerFrames extends FrameListener {
        final Map<Integer, Answer> answers = new HashMap<>();

        static Map<Integer, Answer> read(byte[] out) throws Http2Exception {
            EmbeddedChannel sink = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
            ServerFrames frames = new ServerFrames();
            ByteBuf in = Unpooled.wrappedBuffer(out);
            try (DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader()) {
                reader.readFrame(sink.pipeline().firstContext(), in, frames);
            }
            assertFalse(in.isReadable(), "a frame cut short");
            sink.finishAndReleaseAll();
            return frames.answers;
        }

        private Answer of(int stream) {
            return answers.computeIfAbsent(stream, s -> new Answer());
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            byte[] bytes = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), bytes);
            of(streamId).data.writeBytes(bytes);
            return bytes.length + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            Answer a = of(streamId);
            if (headers.status() != null) {
                a.status = headers.status().toString();
            }
            CharSequence grpcStatus = headers.get("grpc-status");
            if (grpcStatus != null) {
                assertTrue(endOfStream, "grpc-status before the end of stream " + streamId);
                a.grpcStatus = grpcStatus.toString();
            }
        }


        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            of(streamId).reset = errorCode;
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            Answer connection = of(0);
            if (connection.reset == null || errorCode != 0) {
                connection.reset = errorCode;
                connection.debug = debugData.toString(US_ASCII); // what went wrong, as Netty says it
            }
        }
    }

    /** A client's frames, made by Netty's frame writer, as bytes. */
    private static final class ClientFrames {
        private final EmbeddedChannel sink = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        private final ChannelHandlerContext ctx = sink.pipeline().firstContext();
        private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void preface() {
            out.writeBytes(Http2Switch.PREFACE);
            writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
            drain();
        }

        void headers(int stream, Http2Headers headers, boolean endStream) {
            writer.writeHeaders(ctx, stream, headers, 0, endStream, ctx.newPromise());
            drain();
        }

        void data(int stream, byte[] bytes, boolean endStream) {
            writer.writeData(ctx, stream, Unpooled.wrappedBuffer(bytes), 0, endStream, ctx.newPromise());
            drain();
        }

        private void drain() {
            sink.flush();
            out.writeBytes(Outbound.drain(sink));
        }

        byte[] bytes() {
            sink.finishAndReleaseAll();
            writer.close();
            return out.toByteArray();
        }
    }


    private static int u24(byte[] b, int at) {
        return (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | b[at + 2] & 0xff;
    }

    private static int u31(byte[] b, int at) {
        return (b[at] & 0x7f) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] b, byte[] part) {
        for (int i = 0; i + part.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }
}
