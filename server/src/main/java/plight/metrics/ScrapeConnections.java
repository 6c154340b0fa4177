package plight.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;

/**
 * The metrics port's open connections and their deadlines, as on the probe port: a request (head and all) must be
 * complete within {@code request_timeout} of its first byte, else 408 and close; a connection with no request in
 * progress is closed after {@code idle_timeout} ({@code request_timeout} before its first request).
 *
 * <p>At the cap, a new connection is let in and an old one closed: the oldest that has been answered and waits
 * between requests (an idle keep-alive, which the scraper simply reopens), else the oldest of all. Refusing the new
 * one instead lets whoever holds the slots (half-sent heads, within the request timeout; a local user, since the
 * default host is loopback) blind Prometheus. A per-peer share would not help there: on 127.0.0.1 Prometheus and
 * such a user are the same peer. A new connection counts as busy even before its first byte is read, so a flood of
 * silent connections pushes out the oldest, never the scrape that just connected: to push out a scrape, as many
 * newer connections as the cap must arrive while it is read and answered.
 *
 * <p>Everything runs on the port's one event loop ({@link plight.probe.SidePort}): no locks.
 */
final class ScrapeConnections {
    private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 16\r\nConnection: close\r\n\r\nrequest timeout\n").getBytes(StandardCharsets.US_ASCII);

    private final int max;
    private final long requestTimeoutNanos;
    private final long idleTimeoutNanos;
    /** Oldest first. */
    private final LinkedHashSet<Guard> open = new LinkedHashSet<>();

    ScrapeConnections(int max, Duration requestTimeout, Duration idleTimeout) {
        this.max = max;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** The guard of a new connection, to go first in its pipeline; makes room for it when the cap is reached. */
    Guard admit(Channel ch) {
        assert ch.eventLoop().inEventLoop();
        if (open.size() >= max) {
            Guard victim = open.stream().filter(g -> g.betweenRequests).findFirst().orElse(open.iterator().next());
            open.remove(victim);
            victim.channel.close();
        }
        Guard guard = new Guard(ch);
        open.add(guard);
        ch.closeFuture().addListener(f -> open.remove(guard));
        return guard;
    }

    /** One connection's deadline: sees its bytes arrive (first in the pipeline) and is told when a request is answered. */
    final class Guard extends ChannelInboundHandlerAdapter {
        private final Channel channel;
        private boolean inProgress;
        /** Answered, and no next request begun: what may go first at the cap. */
        private boolean betweenRequests;
        /** No more requests are read: the last answer closes the connection. */
        private boolean last;
        private ScheduledFuture<?> timer;

        private Guard(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            arm(ctx, requestTimeoutNanos);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (last) {
                ReferenceCountUtil.release(msg); // after an answer that closes, nothing more is a request
                return;
            }
            if (!inProgress) {
                // The first byte of a request starts its clock; more bytes do not restart it (a trickled head).
                inProgress = true;
                betweenRequests = false;
                arm(ctx, requestTimeoutNanos);
            }
            ctx.fireChannelRead(msg);
        }

        /**
         * A request has been answered.
         *
         * @param close whether the answer ends the connection: what comes after is not a request
         */
        void answered(ChannelHandlerContext ctx, boolean close) {
            inProgress = false;
            betweenRequests = true;
            last |= close;
            // Also bounds a close that waits for a scraper that does not read its answer.
            arm(ctx, idleTimeoutNanos);
        }

        /** Whether the connection ends with the answers written so far. */
        boolean closing() {
            return last;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timer != null) timer.cancel(false);
            ctx.fireChannelInactive();
        }

        private void arm(ChannelHandlerContext ctx, long nanos) {
            if (timer != null) timer.cancel(false);
            timer = ctx.executor().schedule(() -> expire(ctx), nanos, TimeUnit.NANOSECONDS);
        }

        private void expire(ChannelHandlerContext ctx) {
            timer = null;
            if (inProgress) {
                // Written below the HTTP codec, which has no request to pair it with.
                ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE)).addListener(f -> ctx.close());
                last = true;
                inProgress = false;
                betweenRequests = true;
                arm(ctx, idleTimeoutNanos); // a peer that does not read the 408 either
            } else {
                ctx.close();
            }
        }
    }
}
