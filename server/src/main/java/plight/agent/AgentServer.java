package plight.agent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import plight.probe.Transport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import plight.config.AgentSettings;
import plight.state.State;

/**
 * HAProxy's agent-check port: on connect, write the current state's agent line and a newline, then close.
 * Agent checks come every few seconds per load balancer, so the line is encoded per connection.
 */
public final class AgentServer implements AutoCloseable {
    private final AgentSettings settings;
    private final Supplier<State> current;
    private final List<Channel> channels = new ArrayList<>();
    private EventLoopGroup group;

    public AgentServer(AgentSettings settings, Supplier<State> current) {
        this.settings = settings;
        this.current = current;
    }

    /** Binds every configured host, on one event loop of its own: agent checks are few. */
    public void start() throws IOException {
        Transport transport = Transport.best();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("plight-agent"), transport.ioHandlerFactory());
        ChannelHandler answer = new Answer(current);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(answer);
        for (String host : settings.hosts()) {
            try {
                channels.add(Transport.bind(bootstrap, host, settings.port(), "agent port"));
            } catch (BindException e) {
                close();
                throw e;
            }
        }
    }

    /** The bound ports, in the order of {@code [agent] host}; useful when the configured port is 0. */
    public List<Integer> ports() {
        return channels.stream().map(c -> ((InetSocketAddress) c.localAddress()).getPort()).toList();
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        channels.clear();
        if (group != null) {
            group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
            group = null;
        }
    }

    @ChannelHandler.Sharable
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final Supplier<State> current;

        Answer(Supplier<State> current) {
            this.current = current;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            byte[] line = (current.get().agentLine() + "\n").getBytes(StandardCharsets.UTF_8);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(line)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
