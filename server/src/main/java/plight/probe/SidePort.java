package plight.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A port beside the probe port (agent checks, metrics scrapes), bound on every configured host with one event
 * loop of its own: its connections are few, and they never take a turn from the probes. Bound and closed as one.
 */
public final class SidePort implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<Channel> channels;

    private SidePort(EventLoopGroup group, List<Channel> channels) {
        this.group = group;
        this.channels = channels;
    }

    /**
     * @param threadName the event loop's thread name
     * @param what       names the port in a bind error, e.g. "agent port"
     * @param transport  the daemon's, as {@link Transport#select} chose it
     * @param configure  adds the options and the child handler to a bootstrap that has its group and channel
     */
    public static SidePort open(String threadName, List<String> hosts, int port, String what, Transport transport,
                                UnaryOperator<ServerBootstrap> configure) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName), transport.ioHandlerFactory());
        ServerBootstrap bootstrap = configure.apply(new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true));
        try {
            return new SidePort(group, Transport.bindAll(bootstrap, hosts, port, what));
        } catch (IOException | RuntimeException e) {
            shutDown(group);
            throw e;
        }
    }

    /** The bound ports, in the order of the configured hosts; useful when the configured port is 0. */
    public List<Integer> ports() {
        return channels.stream().map(c -> ((InetSocketAddress) c.localAddress()).getPort()).toList();
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        shutDown(group);
    }

    /**
     * A server on a side port (the agent port, the metrics port): binds with {@link #bind}, then reports its ports and
     * closes them the same way whatever it serves.
     */
    public abstract static class Server implements AutoCloseable {
        private SidePort port;

        /** {@link #start(Transport)} on the best transport this machine has. */
        public final void start() throws IOException {
            start(Transport.best());
        }

        /** Binds every configured host, on {@code transport} (the daemon's); once. */
        public abstract void start(Transport transport) throws IOException;

        /** Binds, as {@link SidePort#open}; once. */
        protected final void bind(String threadName, List<String> hosts, int port, String what, Transport transport,
                                  UnaryOperator<ServerBootstrap> configure) throws IOException {
            if (this.port != null) throw new IllegalStateException(what + " is already open");
            this.port = SidePort.open(threadName, hosts, port, what, transport, configure);
        }

        /** The bound ports, in the order of the configured hosts; empty before {@link #bind} and after {@link #close}. */
        public final List<Integer> ports() {
            return port == null ? List.of() : port.ports();
        }

        @Override
        public void close() {
            if (port != null) {
                port.close();
                port = null;
            }
        }
    }

    private static void shutDown(EventLoopGroup group) {
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
