package io.netty.channel.epoll;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.util.Map;

/**
 * The config of a {@link PlightEpollSocketChannel}: the standard socket options of Netty's
 * {@link EpollSocketChannelConfig}, whose constructor cannot be used (it takes only an {@link EpollSocketChannel}) and
 * which asks the socket for SO_SNDBUF and sets TCP_NODELAY when made. This one asks the kernel nothing until an
 * option is read or set, unless its listener cannot tell the send buffer ({@link PlightEpollServerSocketChannel}). It must be a {@link SocketChannelConfig}: Netty's epoll channels honour
 * {@link ChannelOption#ALLOW_HALF_CLOSURE} only from one.
 */
public final class PlightEpollSocketChannelConfig extends EpollChannelConfig implements SocketChannelConfig {
    private volatile boolean allowHalfClosure;

    /** @param maxBytesPerGatheringWrite the bound, or 0: twice the socket's send buffer, read now as Netty's does */
    PlightEpollSocketChannelConfig(PlightEpollSocketChannel channel, long maxBytesPerGatheringWrite) {
        super(channel);
        if (maxBytesPerGatheringWrite > 0) {
            setMaxBytesPerGatheringWrite(maxBytesPerGatheringWrite);
        } else {
            setMaxBytesPerGatheringWrite((long) getSendBufferSize() << 1);
        }
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER,
                IP_TOS, ALLOW_HALF_CLOSURE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        } else if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        } else if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        } else if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        } else if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        } else if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        } else if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        } else if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /** A socket option read or written, its IOException as Netty's configs report it. */
    private interface SocketCall<T> {
        T call(LinuxSocket socket) throws IOException;
    }

    private <T> T socketCall(SocketCall<T> call) {
        try {
            return call.call(socket());
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    private PlightEpollSocketChannelConfig socketSet(SocketCall<?> call) {
        socketCall(call);
        return this;
    }

    @Override
    public boolean isTcpNoDelay() {
        return socketCall(LinuxSocket::isTcpNoDelay);
    }

    @Override
    public PlightEpollSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        return socketSet(s -> { s.setTcpNoDelay(tcpNoDelay); return null; });
    }

    @Override
    public int getSoLinger() {
        return socketCall(LinuxSocket::getSoLinger);
    }

    /**
     * Refused: with a linger time Netty's {@code EpollSocketChannel} closes on another thread, which the channel's
     * close (no {@code getsockopt(SO_LINGER)} per connection) does not do.
     */
    @Override
    public PlightEpollSocketChannelConfig setSoLinger(int soLinger) {
        throw new UnsupportedOperationException("SO_LINGER is not supported on plight's epoll connections");
    }

    @Override
    public int getSendBufferSize() {
        return socketCall(LinuxSocket::getSendBufferSize);
    }

    /** As Netty's: gathering writes are bounded by twice the buffer (Linux reports twice what was set). */
    @Override
    public PlightEpollSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        socketSet(s -> { s.setSendBufferSize(sendBufferSize); return null; });
        setMaxBytesPerGatheringWrite((long) getSendBufferSize() << 1);
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return socketCall(LinuxSocket::getReceiveBufferSize);
    }

    @Override
    public PlightEpollSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        return socketSet(s -> { s.setReceiveBufferSize(receiveBufferSize); return null; });
    }

    @Override
    public boolean isKeepAlive() {
        return socketCall(LinuxSocket::isKeepAlive);
    }

    @Override
    public PlightEpollSocketChannelConfig setKeepAlive(boolean keepAlive) {
        return socketSet(s -> { s.setKeepAlive(keepAlive); return null; });
    }

    @Override
    public int getTrafficClass() {
        return socketCall(LinuxSocket::getTrafficClass);
    }

    @Override
    public PlightEpollSocketChannelConfig setTrafficClass(int trafficClass) {
        return socketSet(s -> { s.setTrafficClass(trafficClass); return null; });
    }

    @Override
    public boolean isReuseAddress() {
        return socketCall(LinuxSocket::isReuseAddress);
    }

    @Override
    public PlightEpollSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        return socketSet(s -> { s.setReuseAddress(reuseAddress); return null; });
    }

    @Override
    public PlightEpollSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public PlightEpollSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    // The setters both EpollChannelConfig and SocketChannelConfig declare, each with its own return type.

    @Override
    public PlightEpollSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public PlightEpollSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public PlightEpollSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }
}
