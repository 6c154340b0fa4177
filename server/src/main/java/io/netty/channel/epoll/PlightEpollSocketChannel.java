package io.netty.channel.epoll;

import io.netty.channel.ChannelException;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A connection accepted by {@link PlightEpollServerSocketChannel}: Netty's {@link EpollSocketChannel} without the
 * system calls it makes per connection and nginx does not (Netty {@value PlightEpollServerSocketChannel#NETTY_CHECKED}):
 * <ul>
 * <li>no {@code getsockname} for the local address, which Netty caches when the channel is made; asked for when
 *     someone wants it (plight does not);</li>
 * <li>no {@code getsockopt(SO_SNDBUF)} and no {@code setsockopt(TCP_NODELAY)} in the config (see
 *     {@link PlightEpollServerSocketChannel});</li>
 * <li>one {@code epoll_ctl(ADD)} with {@code EPOLLIN} instead of an ADD and a MOD adding {@code EPOLLIN};</li>
 * <li>no {@code getsockopt(SO_LINGER)} before closing, and no {@code epoll_ctl(DEL)}: the descriptor is closed
 *     first, which takes it off the epoll set.</li>
 * </ul>
 * The {@code getsockname} inside {@code new LinuxSocket(fd)} (is it IPv6?) stays: every constructor of Netty's
 * {@code Socket} makes it. Not for outgoing connections: only the listener makes these.
 */
public final class PlightEpollSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private final PlightEpollServerSocketChannel parent;
    private final InetSocketAddress remote;
    private final PlightEpollSocketChannelConfig config;

    PlightEpollSocketChannel(PlightEpollServerSocketChannel parent, LinuxSocket fd, InetSocketAddress remote,
            long maxBytesPerGatheringWrite) {
        // Deviation: Netty's accepting constructor (parent, fd, remote) asks for the local address at once; the
        // inactive one asks nothing, so parent, remote address and activity are kept here instead.
        super(fd, false);
        this.parent = parent;
        this.remote = remote;
        active = true;
        try {
            // Deviation: Netty registers an accepted socket for EPOLLRDHUP, then adds EPOLLIN with an
            // epoll_ctl(MOD) when the pipeline asks for the first read, in the same turn. Set before registration,
            // EPOLLIN goes into the epoll_ctl(ADD); the first read then finds it set. Level-triggered, so input
            // arriving before anyone asked to read is read or, with auto-read off, unsubscribed as in Netty.
            setFlag(Native.EPOLLIN);
        } catch (IOException e) {
            throw new ChannelException(e); // not registered yet: setFlag only records the flag
        }
        config = new PlightEpollSocketChannelConfig(this, maxBytesPerGatheringWrite);
    }

    /**
     * Deviation: closes the descriptor before Netty deregisters the channel. Linux drops a closed socket from
     * every epoll set itself, and Netty's deregistration skips its {@code epoll_ctl(DEL)} for a closed descriptor
     * ({@code EpollIoHandler.DefaultEpollIoRegistration.cancel0}). nginx closes the same way. No
     * {@code getsockopt(SO_LINGER)} either: the unsafe is {@link AbstractEpollStreamChannel}'s, whose
     * {@code prepareToClose} does not look for a linger time ({@link PlightEpollSocketChannelConfig} refuses one).
     */
    @Override
    protected void doClose() throws Exception {
        try {
            socket.close();
        } finally {
            super.doClose();
        }
    }

    @Override
    public PlightEpollServerSocketChannel parent() {
        return parent;
    }

    @Override
    public PlightEpollSocketChannelConfig config() {
        return config;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    /** Asked of the kernel on first use only (Netty's base class caches what this returns). */
    @Override
    protected SocketAddress localAddress0() {
        return socket.isOpen() ? socket.localAddress() : null;
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
