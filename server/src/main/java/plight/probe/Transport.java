package plight.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The I/O implementation: native epoll where Linux and the native library allow, NIO elsewhere. */
public enum Transport {
    EPOLL {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannel() {
            return EpollServerSocketChannel.class;
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
                bootstrap.option(EpollChannelOption.TCP_DEFER_ACCEPT, 1);
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
        } catch (BindException e) {
            for (Channel c : bound) {
                c.close().awaitUninterruptibly();
            }
            throw e;
        }
        return bound;
    }

    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }
}
