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
 * <li>no {@code getsockname} for the local address, which Netty caches when the channel is made: on a listener bound
 *     to one address it is the listener's; on a wildcard address it is asked for on first use, so it is null if
 *     first asked once the connection is closed (Netty's knows it then);</li>
 * <li>no {@code getsockopt(SO_SNDBUF)} and no {@code setsockopt(TCP_NODELAY)} in the config (see
 *     {@link PlightEpollServerSocketChannel});</li>
 * <li>one {@code epoll_ctl(ADD)} with {@code EPOLLIN} instead of an ADD and a MOD adding {@code EPOLLIN};</li>
 * <li>no {@code getsockopt(SO_LINGER)} before closing.</li>
 * </ul>
 * The {@code getsockname} inside {@code new LinuxSocket(fd)} (is it IPv6?) stays: every constructor of Netty's
 * {@code Socket} makes it. So does the {@code epoll_ctl(DEL)} before {@code close}, as in Netty: closing first
 * would leave the socket in the epoll set whenever its open file is held elsewhere too (a child process between fork
 * and exec, a descriptor passed over a Unix socket; epoll(7)), and its events would then wake the connection
 * accepted next at the same descriptor number. Not for outgoing connections: only the listener makes these.
 */
public final class PlightEpollSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private final PlightEpollServerSocketChannel parent;
    private final InetSocketAddress remote;
    /** The listener's address, or null: ask the socket (see {@link #localAddress0}). */
    private final InetSocketAddress local;
    private final PlightEpollSocketChannelConfig config;

    /**
     * @param local                     the local address if known without asking the socket, else null
     * @param maxBytesPerGatheringWrite the bound of a gathering write, or 0: twice the socket's send buffer, as Netty's
     */
    PlightEpollSocketChannel(PlightEpollServerSocketChannel parent, LinuxSocket fd, InetSocketAddress remote,
            InetSocketAddress local, long maxBytesPerGatheringWrite) {
        // Deviation: Netty's accepting constructor (parent, fd, remote) asks for the local address at once; the
        // inactive one asks nothing, so parent, remote address and activity are kept here instead.
        super(fd, false);
        this.parent = parent;
        this.remote = remote;
        this.local = local;
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

    /**
     * The listener's address, or asked of the kernel on first use (Netty's base class caches what this returns).
     * Open is checked again after asking: off the event loop, the loop may close this descriptor and accept another
     * connection at its number meanwhile, and the descriptor is marked closed before {@code close(2)}.
     */
    @Override
    protected SocketAddress localAddress0() {
        if (local != null) {
            return local;
        }
        if (!socket.isOpen()) {
            return null;
        }
        InetSocketAddress asked = socket.localAddress();
        return socket.isOpen() ? asked : null;
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
