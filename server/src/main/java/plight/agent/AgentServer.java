package plight.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import plight.config.AgentSettings;
import plight.probe.SidePort;
import plight.probe.Transport;
import plight.state.State;

/**
 * HAProxy's agent-check port: on connect, write the current state's agent line and a newline at once, then read
 * and discard what the client sends (HAProxy's {@code agent-send} line) until its end of input, a newline,
 * {@value #DRAIN_LIMIT} bytes or the drain timeout, and only then close. Closing a socket with unread input sends
 * a reset instead of a FIN, and a load balancer counts a reset as a failed check. Agent checks come every few
 * seconds per load balancer, so the line is encoded per connection.
 */
public final class AgentServer extends SidePort.Server {
    /** How much of the client's input is read and discarded at most: an {@code agent-send} line is short. */
    static final int DRAIN_LIMIT = 1024;
    /** How long a client that neither sends a line nor closes may keep its connection. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);

    private final AgentSettings settings;
    private final Supplier<State> current;
    private final Duration drainTimeout;
    private final BiConsumer<InetSocketAddress, State> served;

    public AgentServer(AgentSettings settings, Supplier<State> current) {
        this(settings, current, DRAIN_TIMEOUT);
    }

    /** @param drainTimeout how long to wait for the client's line or end of input before closing anyway */
    public AgentServer(AgentSettings settings, Supplier<State> current, Duration drainTimeout) {
        this(settings, current, drainTimeout, (remote, state) -> { });
    }

    /** @param served told of each agent line written, with the checker's address, so that agent checks count as probe sources */
    public AgentServer(AgentSettings settings, Supplier<State> current, Duration drainTimeout, BiConsumer<InetSocketAddress, State> served) {
        if (drainTimeout.isNegative() || drainTimeout.isZero()) {
            throw new IllegalArgumentException("the agent port's drain timeout must be positive, not " + drainTimeout);
        }
        this.settings = settings;
        this.current = current;
        this.drainTimeout = drainTimeout;
        this.served = served;
    }

    /** Binds every configured host, on one event loop of its own (agent checks are few), on the daemon's transport. */
    @Override
    public void start(Transport transport) throws IOException {
        bind("plight-agent", settings.hosts(), settings.port(), "agent port", transport, bootstrap -> bootstrap
                // The client's end of input is one of the ends of the drain, not a reason to close at once.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Answer(current, drainTimeout, served));
                    }
                }));
    }

    /**
     * One connection: the line, then the drain; closes once both are done. Runs on the channel's event loop only.
     * Package-private for the fuzz test, which drives it on an in-memory channel.
     */
    static final class Answer extends ChannelInboundHandlerAdapter {
        private final Supplier<State> current;
        private final Duration drainTimeout;
        private final BiConsumer<InetSocketAddress, State> served;
        private boolean written;
        private boolean drained;
        private int discarded;
        private ScheduledFuture<?> timeout;

        Answer(Supplier<State> current, Duration drainTimeout, BiConsumer<InetSocketAddress, State> served) {
            this.current = current;
            this.drainTimeout = drainTimeout;
            this.served = served;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // The timeout bounds the whole connection, the write included, so no client can hold it open.
            timeout = ctx.executor().schedule((Runnable) ctx::close, drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
            State state = current.get();
            byte[] line = (state.agentLine() + "\n").getBytes(StandardCharsets.UTF_8);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(line)).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                    return;
                }
                written = true;
                if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
                    served.accept(remote, state);
                }
                // A FIN right after the line: a client that reads until end of input has its answer at once,
                // without waiting for the drain.
                if (ctx.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput();
                }
                closeIfDone(ctx);
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!drained && msg instanceof ByteBuf in) {
                    discarded += in.readableBytes();
                    if (discarded >= DRAIN_LIMIT || in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n') >= 0) {
                        drained = true;
                        closeIfDone(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                drained = true;
                closeIfDone(ctx);
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void closeIfDone(ChannelHandlerContext ctx) {
            if (written && drained) {
                ctx.close();
            }
        }
    }
}
