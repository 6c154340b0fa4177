package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.unix.GenericUnixChannelOption;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * plight's TCP listener on epoll: Netty's {@link EpollServerSocketChannel}, but accepting
 * {@link PlightEpollSocketChannel}s, which make only the system calls nginx makes per connection, plus one
 * {@code getsockname} and one {@code epoll_ctl(DEL)} Netty cannot skip (BENCHMARKS.md, "System calls per 10,000
 * connections").
 *
 * <p>In Netty's package because {@link EpollServerChannelConfig}'s constructor and {@code submitCurrentOps()} are
 * package-private, and {@link EpollServerSocketChannel}, which would need neither, is final. Written against
 * Netty {@value #NETTY_CHECKED} (the build refuses another version: server/pom.xml); deviations from
 * {@link EpollServerSocketChannel} are commented. No TCP fast open and no TCP MD5 signatures: plight uses neither.
 */
public final class PlightEpollServerSocketChannel extends AbstractEpollServerChannel implements ServerSocketChannel {
    /** The Netty release whose internals these channels were checked against. */
    public static final String NETTY_CHECKED = "4.2.18.Final";
    /** Linux's SOL_SOCKET and SO_SNDBUF, as a raw option ({@code IntegerUnixChannelOption}) names them. */
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUF = 7;

    private final EpollServerChannelConfig config;
    /** Set when SO_SNDBUF is set on this listener: Linux then gives accepted sockets its buffer, locked. */
    private volatile boolean sendBufferSet;
    /** What each accepted connection's config would read from its socket, or 0: ask each (see {@link #doBind}). */
    private volatile long childMaxBytesPerGatheringWrite;
    /** Every accepted connection's local address, or null if bound to a wildcard address (see {@link #doBind}). */
    private volatile InetSocketAddress childLocalAddress;

    public PlightEpollServerSocketChannel() {
        this(LinuxSocket.newSocketStream());
    }

    /** @param socket a new TCP socket, closed if it cannot be made this channel's */
    PlightEpollServerSocketChannel(LinuxSocket socket) {
        super(socket, false);
        config = new EpollServerChannelConfig(this) {
            @Override
            public <T> boolean setOption(ChannelOption<T> option, T value) {
                boolean set = super.setOption(option, value);
                if (set && option instanceof GenericUnixChannelOption<?> raw && raw.level() == SOL_SOCKET
                        && raw.optname() == SO_SNDBUF) {
                    sendBufferSet = true;
                }
                return set;
            }
        };
        try {
            // Deviation: Netty sets TCP_NODELAY on every accepted socket (a setsockopt each); Linux copies it from
            // the listener to the sockets it accepts, so it is set once here.
            socket.setTcpNoDelay(true);
        } catch (IOException | RuntimeException e) {
            // Netty's native setsockopt reports a failure as a ChannelException, not as the declared IOException.
            try {
                socket.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e instanceof ChannelException c ? c : new ChannelException(e);
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        socket.listen(config.getBacklog());
        // Deviation: Netty's child config reads SO_SNDBUF from each accepted socket (a getsockopt each) to bound its
        // gathering writes at twice that. With SO_SNDBUF set on the listener (the probe port), accepted sockets
        // start with the listener's buffer, so it is read once here; without, Linux sizes each accepted socket's
        // buffer itself, and each connection reads its own as Netty's does (agent and metrics ports).
        childMaxBytesPerGatheringWrite = sendBufferSet ? (long) socket.getSendBufferSize() << 1 : 0;
        // Deviation: Netty asks each accepted socket for its local address (a getsockname each). On a listener bound
        // to one address, that is the listener's own; on a wildcard address, each connection asks on first use.
        InetSocketAddress bound = (InetSocketAddress) localAddress0();
        childLocalAddress = bound.getAddress().isAnyLocalAddress() ? null : bound;
        active = true;
        submitCurrentOps();
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) {
        return new PlightEpollSocketChannel(this, new LinuxSocket(fd), NativeInetAddress.address(address, offset, len),
                childLocalAddress, childMaxBytesPerGatheringWrite);
    }

    @Override
    public EpollServerChannelConfig config() {
        return config;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }
}
