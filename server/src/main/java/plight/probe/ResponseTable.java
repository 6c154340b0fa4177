package plight.probe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import plight.state.State;
import plight.text.Timestamps;

/**
 * Every response the probe port can send while the node is in one state, rendered for one second's
 * {@code Date}. Immutable: a state change or a new second builds a new table instead of touching this one.
 *
 * <p>All variants live in one read-only direct buffer owned by the garbage collector (not by Netty's
 * reference counting), so a table that is replaced while writes of it are still queued on slow connections
 * stays valid until the last of those writes is gone. Callers get unreleasable duplicates: writing one costs
 * two tiny wrapper objects and no copy.
 */
public final class ResponseTable {
    private final State state;
    private final long epochSecond;
    private final LongAdder served;
    /** Indexed by {@link #probeIndex}. */
    private final ByteBuf[] probes = new ByteBuf[8];
    /** Indexed by {@link #failureIndex}. */
    private final ByteBuf[] failures = new ByteBuf[Failure.values().length * 4];

    private ResponseTable(State state, long epochSecond, LongAdder served) {
        this.state = state;
        this.epochSecond = epochSecond;
        this.served = served;
    }

    /**
     * Renders every variant.
     *
     * @param served the counter of probes answered with {@code state}; it outlives tables
     * @throws IllegalArgumentException when a configured header would break the response framing
     */
    public static ResponseTable render(State state, Instant now, LongAdder served) {
        ResponseTable table = new ResponseTable(state, now.getEpochSecond(), served);
        String date = Timestamps.httpDate(now.getEpochSecond()); // IMF-fixdate, RFC 9110 5.6.7
        Renderer out = new Renderer();
        int[] probeSpans = new int[table.probes.length * 2];
        for (int http11 = 0; http11 < 2; http11++) {
            for (int keepAlive = 0; keepAlive < 2; keepAlive++) {
                int start = out.size();
                int headEnd = out.probe(state, date, http11 == 1, keepAlive == 1);
                int end = out.size();
                int get = probeIndex(http11 == 1, keepAlive == 1, false);
                int head = probeIndex(http11 == 1, keepAlive == 1, true);
                probeSpans[get * 2] = start;
                probeSpans[get * 2 + 1] = end;
                // HEAD is the GET response cut after the blank line: same bytes, same Content-Length.
                probeSpans[head * 2] = start;
                probeSpans[head * 2 + 1] = headEnd;
            }
        }
        int[] failureSpans = new int[table.failures.length * 2];
        for (Failure failure : Failure.values()) {
            for (int http11 = 0; http11 < 2; http11++) {
                int start = out.size();
                int headEnd = out.failure(failure, date, http11 == 1);
                int get = failureIndex(failure, http11 == 1, false);
                int head = failureIndex(failure, http11 == 1, true);
                failureSpans[get * 2] = start;
                failureSpans[get * 2 + 1] = out.size();
                // RFC 9110 9.3.2: no content for HEAD, errors included; the same head, Content-Length too.
                failureSpans[head * 2] = start;
                failureSpans[head * 2 + 1] = headEnd;
            }
        }
        ByteBuffer all = out.toDirect();
        slice(all, probeSpans, table.probes);
        slice(all, failureSpans, table.failures);
        return table;
    }

    private static void slice(ByteBuffer all, int[] spans, ByteBuf[] into) {
        for (int i = 0; i < into.length; i++) {
            ByteBuffer part = all.slice(spans[i * 2], spans[i * 2 + 1] - spans[i * 2]).asReadOnlyBuffer();
            into[i] = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(part));
        }
    }

    private static int probeIndex(boolean http11, boolean keepAlive, boolean head) {
        return (http11 ? 4 : 0) | (keepAlive ? 2 : 0) | (head ? 1 : 0);
    }

    private static int failureIndex(Failure failure, boolean http11, boolean head) {
        return failure.ordinal() * 4 + (http11 ? 2 : 0) + (head ? 1 : 0);
    }

    /** The answer to a probe; OPTIONS is answered like GET. The caller writes it (no release needed). */
    public ByteBuf probe(boolean http11, boolean keepAlive, boolean head) {
        return probes[probeIndex(http11, keepAlive, head)].duplicate();
    }

    /**
     * The answer to a request that is not a probe; it always says {@code Connection: close}.
     *
     * @param head the request's method is HEAD: the same answer without its body
     */
    ByteBuf failure(Failure failure, boolean http11, boolean head) {
        return failures[failureIndex(failure, http11, head)].duplicate();
    }

    /** Counts one probe answered from this table. */
    void countServed() {
        served.increment();
    }

    public State state() {
        return state;
    }

    /** The second the {@code Date} header shows. */
    public long epochSecond() {
        return epochSecond;
    }

    /** Writes HTTP/1.x response heads into one growing byte array. */
    private static final class Renderer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);

        int size() {
            return bytes.size();
        }

        /** Returns the offset just after the head's blank line. */
        int probe(State state, String date, boolean http11, boolean keepAlive) {
            byte[] body = (state.message() + "\n").getBytes(StandardCharsets.UTF_8);
            // RFC 9110 6.4.1: these statuses never carry content, and 1xx/204 must not announce a length.
            boolean bodyless = state.code() < 200 || state.code() == 204 || state.code() == 304;
            statusLine(http11, state.code(), reasonPhrase(state.message()));
            common(date);
            if (!bodyless) {
                line("Content-Length: " + body.length);
            }
            line("Cache-Control: no-store");
            line("X-Plight-State: " + state.name());
            for (Map.Entry<String, String> header : state.headers().entrySet()) {
                line(checkedHeader(header.getKey(), header.getValue()));
            }
            if (http11 && !keepAlive) {
                line("Connection: close");
            } else if (!http11 && keepAlive) {
                line("Connection: keep-alive");
            }
            line("");
            int headEnd = size();
            if (!bodyless) {
                bytes.writeBytes(body);
            }
            return headEnd;
        }

        /** Returns the offset just after the head's blank line. */
        int failure(Failure failure, String date, boolean http11) {
            byte[] body = (failure.reason + "\n").getBytes(StandardCharsets.US_ASCII);
            statusLine(http11, failure.code, failure.reason);
            common(date);
            line("Content-Length: " + body.length);
            line("Cache-Control: no-store");
            if (failure.extraHeader != null) {
                line(failure.extraHeader);
            }
            line("Connection: close");
            line("");
            int headEnd = size();
            bytes.writeBytes(body);
            return headEnd;
        }

        private void statusLine(boolean http11, int code, String reason) {
            line((http11 ? "HTTP/1.1 " : "HTTP/1.0 ") + code + " " + reason);
        }

        private void common(String date) {
            line("Server: plight");
            line("Date: " + date);
            line("Content-Type: text/plain; charset=utf-8");
        }

        private void line(String text) {
            bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            bytes.write('\r');
            bytes.write('\n');
        }

        ByteBuffer toDirect() {
            byte[] all = bytes.toByteArray();
            return ByteBuffer.allocateDirect(all.length).put(all).flip();
        }

        /** The message may hold any text; a reason phrase may not hold control characters (RFC 9112 4). */
        private static String reasonPhrase(String message) {
            StringBuilder sb = new StringBuilder(message.length());
            for (int i = 0; i < message.length(); i++) {
                char c = message.charAt(i);
                sb.append(c < 0x20 && c != '\t' || c == 0x7f ? ' ' : c);
            }
            return sb.toString();
        }

        private static String checkedHeader(String name, String value) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= 0x20 || c >= 0x7f || c == ':') {
                    throw new IllegalArgumentException("invalid response header name: " + name);
                }
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException("invalid value of response header " + name);
                }
            }
            return name + ": " + value;
        }
    }
}
