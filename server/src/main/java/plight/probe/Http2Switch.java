package plight.probe;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The probe port's HTTP/2 side, to which {@link ProbeHandler} hands a connection over: once, when its first bytes
 * are the HTTP/2 preface, or when an HTTP/1.1 probe asks for {@code Upgrade: h2c}. After the hand-over the
 * connection's pipeline holds only the HTTP/2 handler; an HTTP/1 connection never holds anything of HTTP/2.
 */
public interface Http2Switch {
    /** The connection preface's fixed 24 bytes (RFC 9113 3.4). */
    byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Takes over a connection whose input starts with {@link #PREFACE}.
     *
     * @param ctx   the context of the handler being replaced; the replacement goes in its place
     * @param input everything received so far, the preface included; ownership passes
     * @param turns  the event loop's queue of connections waiting for a turn, shared with HTTP/1
     */
    void priorKnowledge(ChannelHandlerContext ctx, ByteBuf input, Turns.Queue turns);

    /**
     * Takes over a connection whose HTTP/1.1 probe asked to upgrade: answers {@code 101}, then the probe on
     * stream 1 (RFC 7540 3.2). Does nothing and returns {@code false} when the request's settings are malformed:
     * the probe is then answered in HTTP/1.1 (an upgrade is only ever offered).
     *
     * @param rest the connection's input, its reader index after the request head; not taken over (what
     *             HTTP/2 needs of it is retained)
     * @param turns the event loop's queue of connections waiting for a turn, shared with HTTP/1
     */
    boolean upgrade(ChannelHandlerContext ctx, Upgrade request, ByteBuf rest, Turns.Queue turns);

    /** The upgraded HTTP/1.1 request: what its answer on stream 1 depends on. */
    record Upgrade(boolean head, String http2Settings, String userAgent) {
    }

    /** How the first bytes of a connection compare with {@link #PREFACE}. */
    enum Preface {
        /** They differ: HTTP/1.x. */
        NO,
        /** They are the start of the preface; more is needed to decide. */
        PARTIAL,
        YES;

        /** Compares from {@code in}'s reader index; a mismatch is usually seen at its first or second byte. */
        static Preface of(ByteBuf in) {
            int at = in.readerIndex();
            int n = Math.min(in.readableBytes(), PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (in.getByte(at + i) != PREFACE[i]) {
                    return NO;
                }
            }
            return n == PREFACE.length ? YES : PARTIAL;
        }
    }
}
