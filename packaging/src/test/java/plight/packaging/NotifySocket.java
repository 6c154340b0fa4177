package plight.packaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for systemd's notification socket: a Unix datagram socket, at a path or an abstract name, that keeps
 * every datagram a daemon sends to {@code $NOTIFY_SOCKET}, in order.
 */
final class NotifySocket implements AutoCloseable {
    private static final String SENTINEL = "X-PLIGHT-TEST-SENTINEL=1";

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final DomainSocketAddress address;
    private final Channel channel;

    /** @param address a path, or an abstract name starting with a NUL character */
    NotifySocket(String address) throws InterruptedException {
        this.address = new DomainSocketAddress(address);
        channel = bootstrap().handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                messages.add(packet.content().toString(StandardCharsets.UTF_8));
            }
        }).bind(this.address).sync().channel();
    }

    private Bootstrap bootstrap() {
        return new Bootstrap().group(group).channelFactory((ChannelFactory<EpollDomainDatagramChannel>) EpollDomainDatagramChannel::new);
    }

    /** The value for {@code NOTIFY_SOCKET}: the path, or {@code @name} for an abstract name. */
    String environmentValue() {
        String path = address.path();
        return path.startsWith("\0") ? "@" + path.substring(1) : path;
    }

    /** The next datagram, waiting up to {@code timeout}; fails when none comes. */
    String next(Duration timeout) throws InterruptedException {
        String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) throw new AssertionError("no notification within " + timeout.toMillis() + " ms");
        return m;
    }

    /**
     * Everything received so far, once every datagram sent before this call has been read: a datagram of our own
     * goes through the same socket queue, so when it arrives, everything queued before it has arrived too.
     */
    java.util.List<String> drain() throws InterruptedException {
        Channel sender = bootstrap().handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true).register().sync().channel();
        try {
            sender.writeAndFlush(new DomainDatagramPacket(Unpooled.copiedBuffer(SENTINEL, StandardCharsets.UTF_8), address)).sync();
        } finally {
            sender.close().sync();
        }
        java.util.List<String> all = new java.util.ArrayList<>();
        for (String m = next(Duration.ofSeconds(10)); !m.equals(SENTINEL); m = next(Duration.ofSeconds(10))) {
            all.add(m);
        }
        return all;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
