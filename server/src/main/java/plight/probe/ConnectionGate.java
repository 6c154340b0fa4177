package plight.probe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits accepted connections up to {@code max_connections} and gives each its probe handler. Runs during
 * registration, before the channel's first read, so an excess connection is closed before it costs a read.
 * Also keeps the open connections for a graceful stop.
 */
@Sharable
final class ConnectionGate extends ChannelInitializer<Channel> {
    private final ProbeSetup setup;
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelFutureListener onClose = closed -> open.decrementAndGet();
    private final ChannelGroup channels = new DefaultChannelGroup("plight-probe", ImmediateEventExecutor.INSTANCE);

    ConnectionGate(ProbeSetup setup, int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max_connections must be at least 1: " + maxConnections);
        }
        this.setup = setup;
        this.maxConnections = maxConnections;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            ch.close();
            return;
        }
        ch.closeFuture().addListener(onClose);
        channels.add(ch);
        ch.pipeline().addLast(new ProbeHandler(setup));
    }

    int open() {
        return open.get();
    }

    ChannelGroup channels() {
        return channels;
    }
}
