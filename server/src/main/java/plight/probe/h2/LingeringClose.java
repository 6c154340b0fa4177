package plight.probe.h2;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Sits before an HTTP/2 connection's handler and makes its close gentle: our side is shut first (after what is
 * written, the GOAWAY last), then the client's input is read and dropped until it closes or {@code limitNanos} pass.
 * Closing with unread input would send a reset, which can destroy the GOAWAY before the client reads it — as a
 * flooding client that is still sending would see (RFC 9112 9.6 says the same of HTTP/1, and ProbeHandler does it).
 */
final class LingeringClose extends ChannelDuplexHandler {
    private final long limitNanos;
    private final Runnable lingering;
    private ChannelPromise closing;
    private boolean closed;

    /**
     * @param lingering run once our side is shut and only the client's input is awaited: what HTTP/2 keeps of the
     *                  connection (its handler, its slot among the HTTP/2 connections) can go then, not at the end
     */
    LingeringClose(long limitNanos, Runnable lingering) {
        this.limitNanos = limitNanos;
        this.lingering = lingering;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closing != null) {
            closing.addListener(f -> promise.trySuccess());
            return;
        }
        if (!(ctx.channel() instanceof DuplexChannel channel) || !channel.isActive() || channel.isInputShutdown()
                || channel.isOutputShutdown()) {
            finish(ctx, promise);
            return;
        }
        closing = promise;
        // The empty write completes once everything before it is in the kernel: only then may our side be shut.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (!written.isSuccess()) {
                finish(ctx, promise);
                return;
            }
            channel.shutdownOutput().addListener(shut -> {
                if (!shut.isSuccess()) {
                    finish(ctx, promise);
                }
            });
            lingering.run();
            channel.config().setAutoRead(true);
        });
        ctx.executor().schedule(() -> finish(ctx, promise), limitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (closing != null && evt instanceof ChannelInputShutdownEvent) {
            finish(ctx, closing);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing != null) {
            // Lingering: the HTTP/2 handler that reports errors is gone already, and a client that resets now (a
            // refused watcher, a flood) would otherwise reach the pipeline's tail, a warning per connection.
            finish(ctx, closing);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void finish(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!closed) {
            closed = true;
            ctx.close(promise);
        }
    }
}
