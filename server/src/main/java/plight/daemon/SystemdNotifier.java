package plight.daemon;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import plight.log.Log;
import plight.config.Environment;

/**
 * sd_notify(3) without libsystemd: tells systemd ({@code Type=notify}) that the daemon is ready, reloading or
 * stopping, with one datagram per message to {@code $NOTIFY_SOCKET} (a path, or an abstract name when it starts
 * with {@code @}), sent through Netty's epoll domain-datagram channel. Without {@code NOTIFY_SOCKET} (not started
 * by systemd) it does nothing. A notification that cannot be sent is a warning, never a reason to stop serving.
 */
final class SystemdNotifier implements AutoCloseable {
    /** Does nothing: not started by systemd. */
    static final SystemdNotifier NONE = new SystemdNotifier(null, null);

    private static final long SEND_TIMEOUT_MILLIS = 5000;

    private final DomainSocketAddress target;
    private final EventLoopGroup group;

    private SystemdNotifier(DomainSocketAddress target, EventLoopGroup group) {
        this.target = target;
        this.group = group;
    }

    static SystemdNotifier fromEnvironment(Environment env) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null) {
            return NONE;
        }
        if (!socket.startsWith("/") && !(socket.startsWith("@") && socket.length() > 1)) {
            Log.warn("NOTIFY_SOCKET '{}' is neither a path nor an abstract socket name; systemd is not notified", socket);
            return NONE;
        }
        if (!Epoll.isAvailable()) {
            Log.warn("cannot notify systemd at {}: no epoll transport ({})", socket, Epoll.unavailabilityCause().getMessage());
            return NONE;
        }
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "plight-systemd");
            t.setDaemon(true);
            return t;
        }, EpollIoHandler.newFactory());
        return new SystemdNotifier(new DomainSocketAddress(path), group);
    }

    /** The probe port and the control socket answer (also: a reload is over). */
    void ready() {
        send("READY=1");
    }

    /** A reload begins; {@link #ready()} ends it. systemd 253+ ({@code Type=notify-reload}) wants the time too. */
    void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime()));
    }

    void stopping() {
        send("STOPPING=1");
    }

    // One socket per message, as sd_notify does: a systemd re-executed meanwhile has bound its socket afresh.
    private void send(String message) {
        if (target == null) {
            return;
        }
        ChannelFuture registered = new Bootstrap().group(group)
                .channelFactory((ChannelFactory<EpollDomainDatagramChannel>) EpollDomainDatagramChannel::new)
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .handler(new ChannelInboundHandlerAdapter())
                .register();
        Channel channel = registered.channel();
        try {
            ChannelFuture sent = registered.awaitUninterruptibly(SEND_TIMEOUT_MILLIS) && registered.isSuccess()
                    ? channel.writeAndFlush(new DomainDatagramPacket(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8), target))
                    : registered;
            if (!sent.awaitUninterruptibly(SEND_TIMEOUT_MILLIS) || !sent.isSuccess()) {
                Log.warn("cannot notify systemd ({}): {}", message.lines().findFirst().orElse(message),
                        sent.cause() == null ? "timed out" : sent.cause().getMessage());
            }
        } finally {
            channel.close();
        }
    }

    @Override
    public void close() {
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(SEND_TIMEOUT_MILLIS);
        }
    }
}
