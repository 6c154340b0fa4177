package plight.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits accepted connections up to {@code max_connections} and puts a probe handler in its own place. Runs
 * when the connection registers, before its first read, so an excess connection is closed before it costs a
 * read. Also keeps the open connections for a graceful stop.
 *
 * <p>Not a {@code ChannelInitializer}: with a connection per probe, its bookkeeping (a concurrent set of
 * contexts, an add and a remove in the pipeline) is a measurable share of the work. One replace does it.
 */
@Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private final ProbeSetup setup;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    /** Counted in the metrics too; logged so that an operator whose probes get nothing sees why. */
    private final Refusals refusals;
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final ChannelFutureListener onClose = closed -> {
        channels.remove(closed.channel());
        open.decrementAndGet();
    };

    ConnectionGate(ProbeSetup setup, int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max_connections must be at least 1: " + maxConnections);
        }
        this.setup = setup;
        this.maxConnections = maxConnections;
        this.refusals = new Refusals("connections over max_connections = " + maxConnections + " (closed at once)");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            setup.rejections().overMaxConnections();
            refusals.refused();
            ch.close();
            return;
        }
        channels.add(ch);
        ch.closeFuture().addListener(onClose);
        ctx.pipeline().replace(this, null, new ProbeHandler(setup));
    }

    int open() {
        return open.get();
    }

    /** The open connections, for a graceful stop (a live view). */
    Set<Channel> channels() {
        return channels;
    }
}
