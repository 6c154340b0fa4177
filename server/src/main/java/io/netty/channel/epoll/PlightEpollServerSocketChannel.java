package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * plight's TCP listener on epoll: Netty's {@link EpollServerSocketChannel}, but accepting
 * {@link PlightEpollSocketChannel}s, which make only the system calls nginx makes per connection, plus one
 * {@code getsockname} Netty cannot skip (BENCHMARKS.md, "System calls per 10,000 connections").
 *
 * <p>In Netty's package because {@link EpollServerChannelConfig}'s constructor and {@code submitCurrentOps()} are
 * package-private, and {@link EpollServerSocketChannel}, which would need neither, is final. Written against
 * Netty {@value #NETTY_CHECKED} (the build refuses another version: server/pom.xml); deviations from
 * {@link EpollServerSocketChannel} are commented. No TCP fast open and no TCP MD5 signatures: plight uses neither.
 */
public final class PlightEpollServerSocketChannel extends AbstractEpollServerChannel implements ServerSocketChannel {
    /** The Netty release whose internals these channels were checked against. */
    public static final String NETTY_CHECKED = "4.2.18.Final";

    private final EpollServerChannelConfig config;
    /** What each accepted connection's config would read from its socket (see {@link #doBind}). */
    private volatile long childMaxBytesPerGatheringWrite = Long.MAX_VALUE;

    public PlightEpollServerSocketChannel() {
        super(LinuxSocket.newSocketStream(), false);
        config = new EpollServerChannelConfig(this);
        try {
            // Deviation: Netty sets TCP_NODELAY on every accepted socket (a setsockopt each); Linux copies it from
            // the listener to the sockets it accepts, so it is set once here.
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        socket.listen(config.getBacklog());
        // Deviation: Netty's child config reads SO_SNDBUF from each accepted socket (a getsockopt each) to bound its
        // gathering writes at twice that; accepted sockets start with the listener's buffer, so read it once here.
        childMaxBytesPerGatheringWrite = (long) socket.getSendBufferSize() << 1;
        active = true;
        submitCurrentOps();
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) {
        return new PlightEpollSocketChannel(this, new LinuxSocket(fd), NativeInetAddress.address(address, offset, len),
                childMaxBytesPerGatheringWrite);
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
