package plight.bench;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll when available (or asked for), NIO otherwise. */
record Transport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> channelClass) {

    /** @param wanted {@code auto}, {@code epoll} or {@code nio} */
    static Transport select(String wanted) {
        boolean epoll = switch (wanted) {
            case "epoll" -> {
                if (!epollAvailable()) {
                    throw new IllegalStateException("epoll transport is not available here: "
                            + Epoll.unavailabilityCause());
                }
                yield true;
            }
            case "nio" -> false;
            default -> epollAvailable();
        };
        return epoll
                ? new Transport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class)
                : new Transport("nio", NioIoHandler.newFactory(), NioSocketChannel.class);
    }

    private static boolean epollAvailable() {
        try {
            return Epoll.isAvailable();
        } catch (Throwable t) {
            return false;
        }
    }
}
