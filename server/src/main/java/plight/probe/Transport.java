package plight.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.PlightEpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import plight.config.TransportChoice;

/**
 * The I/O implementation of the daemon's listeners ({@code [webserver] transport}): io_uring or epoll where Linux,
 * its seccomp policy and the native libraries allow, NIO elsewhere. See {@link #select}.
 */
public enum Transport {
    IO_URING {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return IoUringServerSocketChannel.class;
        }

        /** As for {@link #EPOLL}. */
        @Override
        void clientSpeaksFirst(ServerBootstrap bootstrap, Duration requestTimeout) {
            if (!acceptDeferral(requestTimeout).isZero()) {
                bootstrap.option(IoUringChannelOption.TCP_DEFER_ACCEPT, 1);
            }
        }

        @Override
        Duration acceptDeferral(Duration requestTimeout) {
            return EPOLL.acceptDeferral(requestTimeout);
        }

        @Override
        void sendBuffer(ServerBootstrap bootstrap, int bytes) {
            bootstrap.option(LISTENER_SNDBUF, bytes);
        }
    },
    EPOLL {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        /**
         * Netty's epoll listener with our own accepted channel, which skips five of the seven system calls per
         * connection Netty's makes and nginx does not (BENCHMARKS.md, "System calls per 10,000 connections").
         */
        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return PlightEpollServerSocketChannel.class;
        }

        /**
         * TCP_DEFER_ACCEPT: the kernel hands a connection over once its first bytes have arrived, so accepting
         * and reading take one wake-up instead of two. One second, the least: Linux counts the deferral in
         * retransmissions of its SYN-ACK (after 1, 2, 4 … s), so 5 s would hold a silent connection for 7 s,
         * and only then would our request timeout start (12 s in all). With one second, the handler counts
         * that second in (see {@link #acceptDeferral}). Only for timeouts of two seconds or more: the credit starts
         * the clock a second early for every connection, also for one whose request is about to be read, and a
         * one-second timeout would then expire before that first read (every connection reset).
         */
        @Override
        void clientSpeaksFirst(ServerBootstrap bootstrap, Duration requestTimeout) {
            if (!acceptDeferral(requestTimeout).isZero()) {
                bootstrap.option(TCP_DEFER_ACCEPT, 1);
            }
        }

        @Override
        Duration acceptDeferral(Duration requestTimeout) {
            return requestTimeout.compareTo(Duration.ofSeconds(2)) >= 0 ? Duration.ofSeconds(1) : Duration.ZERO;
        }

        /** On the listener: Linux gives accepted sockets its buffer sizes, which saves a system call each. */
        @Override
        void sendBuffer(ServerBootstrap bootstrap, int bytes) {
            bootstrap.option(LISTENER_SNDBUF, bytes);
        }
    },
    NIO {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }
    };

    /** SO_SNDBUF by number (SOL_SOCKET 1, SO_SNDBUF 7 on Linux): Netty offers no such option for listeners. */
    private static final IntegerUnixChannelOption LISTENER_SNDBUF = new IntegerUnixChannelOption("SO_SNDBUF", 1, 7);
    /**
     * TCP_DEFER_ACCEPT by number (IPPROTO_TCP 6, TCP_DEFER_ACCEPT 9): Netty's name for it is understood only by the
     * config of its own {@code EpollServerSocketChannel}.
     */
    private static final IntegerUnixChannelOption TCP_DEFER_ACCEPT = new IntegerUnixChannelOption("TCP_DEFER_ACCEPT", 6, 9);

    public abstract IoHandlerFactory ioHandlerFactory();

    public abstract Class<? extends ServerChannel> serverChannel();

    /** Tunes a listener whose clients always send first (HTTP); not for the agent port, where we speak first. */
    void clientSpeaksFirst(ServerBootstrap bootstrap, Duration requestTimeout) {
    }

    /**
     * How long the kernel may have held a connection that has sent nothing before handing it over, after
     * {@link #clientSpeaksFirst}: its request timeout has been running since it connected.
     */
    Duration acceptDeferral(Duration requestTimeout) {
        return Duration.ZERO;
    }

    /** Limits the kernel's send buffer of every accepted connection to about {@code bytes}. */
    void sendBuffer(ServerBootstrap bootstrap, int bytes) {
        bootstrap.childOption(ChannelOption.SO_SNDBUF, bytes);
    }

    /**
     * Binds {@code bootstrap} to {@code address}, waiting for the outcome.
     *
     * @param what how the error names the port, e.g. "port" or "agent port"
     * @throws BindException naming host and port when the address cannot be bound
     */
    public static Channel bind(ServerBootstrap bootstrap, String host, int port, String what) throws BindException {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(h, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            BindException e = new BindException("cannot listen on " + host + " " + what + " " + port + ": "
                    + bound.cause().getMessage());
            e.initCause(bound.cause());
            throw e;
        }
        // Refused once here rather than warned of with a stack trace for every connection: plight's epoll
        // connections close without looking for a linger time (PlightEpollSocketChannelConfig.setSoLinger).
        if (bound.channel() instanceof PlightEpollServerSocketChannel
                && bootstrap.config().childOptions().containsKey(ChannelOption.SO_LINGER)) {
            bound.channel().close().awaitUninterruptibly();
            throw new IllegalArgumentException("SO_LINGER is not supported on connections of the epoll transport ("
                    + host + " " + what + " " + port + "): remove the child option, or use the nio transport");
        }
        return bound.channel();
    }

    /**
     * Binds {@code bootstrap} to every host in turn.
     *
     * @throws BindException as {@link #bind} does; what was bound before the failure is closed again
     */
    public static List<Channel> bindAll(ServerBootstrap bootstrap, List<String> hosts, int port, String what) throws BindException {
        List<Channel> bound = new ArrayList<>();
        try {
            for (String host : hosts) {
                bound.add(bind(bootstrap, host, port, what));
            }
        } catch (BindException | RuntimeException e) {
            for (Channel c : bound) {
                c.close().awaitUninterruptibly();
            }
            throw e;
        }
        return bound;
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}, as in plight.conf and the start-up log. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What {@code transport = auto} picks on this machine. */
    public static Transport best() {
        return select(TransportChoice.AUTO).transport();
    }

    /** The transport {@code wanted} gives on this machine, and why. */
    public static Selection select(TransportChoice wanted) {
        return select(wanted, Availability.ofThisMachine());
    }

    /**
     * The transport {@code wanted} gives when {@code available}: a named one if it is available, else the next
     * down the list io_uring, epoll, NIO; {@code auto} the first available of {@link #AUTO_ORDER}.
     */
    static Selection select(TransportChoice wanted, Availability available) {
        List<Transport> order = switch (wanted) {
            case AUTO -> AUTO_ORDER;
            case IO_URING -> List.of(IO_URING, EPOLL, NIO);
            case EPOLL -> List.of(EPOLL, NIO);
            case NIO -> List.of(NIO);
        };
        StringBuilder skipped = new StringBuilder();
        for (Transport t : order) {
            String missing = available.unavailable(t);
            if (missing == null) {
                String why = wanted == TransportChoice.AUTO
                        ? (skipped.length() == 0 ? "auto: " + AUTO_WHY : "auto")
                        : (skipped.length() == 0 ? "configured" : "configured " + wanted.configName());
                return new Selection(t, why + skipped);
            }
            skipped.append("; ").append(t.configName()).append(" unavailable: ").append(missing);
        }
        throw new IllegalStateException("NIO is always available");
    }

    /**
     * {@code auto}'s preference. epoll first: with our own accepted channel it costs 7 % less CPU than io_uring per
     * new connection and no more per request (BENCHMARKS.md, "io_uring or epoll"); io_uring is also a kernel
     * feature that containers often refuse.
     * io_uring second, where epoll is not there: it still beats NIO.
     */
    static final List<Transport> AUTO_ORDER = List.of(EPOLL, IO_URING, NIO);
    private static final String AUTO_WHY = "io_uring measured no clear gain over epoll, see BENCHMARKS.md";

    /** The outcome of {@link #select}: the transport and, for the start-up log, why this one. */
    public record Selection(Transport transport, String reason) {
        /** E.g. {@code epoll (configured io_uring; io_uring unavailable: ...)}. */
        @Override
        public String toString() {
            return transport.configName() + " (" + reason + ")";
        }
    }

    /** Which transports this machine offers: for each, {@code null} or why not. */
    record Availability(String ioUring, String epoll) {
        static Availability ofThisMachine() {
            return new Availability(IoUring.isAvailable() ? null : cause(IoUring.unavailabilityCause()),
                    Epoll.isAvailable() ? null : cause(Epoll.unavailabilityCause()));
        }

        String unavailable(Transport t) {
            return switch (t) {
                case IO_URING -> ioUring;
                case EPOLL -> epoll;
                case NIO -> null;
            };
        }

        private static String cause(Throwable t) {
            if (t == null) {
                return "unknown reason";
            }
            // The root cause says what is missing (the kernel call refused, the native library absent).
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = root.getMessage();
            return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip().replace('\n', ' '));
        }
    }
}
