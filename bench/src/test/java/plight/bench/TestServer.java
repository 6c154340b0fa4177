package plight.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A tiny plight look-alike for the tests, on 127.0.0.1 and an ephemeral port: answers every request head with
 * the current state ({@code X-Plight-State}; enabled → 200, disabled → 404, others → 503), keeps connections
 * alive unless asked to close, answers pipelined requests in order.
 */
final class TestServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final Supplier<String> state;
    private final int closeAfter;
    final AtomicLong requests = new AtomicLong();

    TestServer(Supplier<String> state) throws InterruptedException {
        this(state, 0);
    }

    /**
     * @param closeAfter when &gt; 0, like nginx's {@code keepalive_requests}: the answer to a connection's
     *                   request number {@code closeAfter} says {@code Connection: close}, then the server stops
     *                   answering and half-closes (reading and discarding whatever else comes, as nginx's
     *                   lingering close does)
     */
    TestServer(Supplier<String> state, int closeAfter) throws InterruptedException {
        this.state = state;
        this.closeAfter = closeAfter;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/health";
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final StringBuilder head = new StringBuilder();
        private ByteBuf pending;
        private boolean closing;
        private int answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable() && !closing) {
                    head.append((char) in.readByte());
                    int n = head.length();
                    if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r'
                            && head.charAt(n - 3) == '\n' && head.charAt(n - 4) == '\r') {
                        boolean close = head.toString().toLowerCase(Locale.ROOT).contains("connection: close")
                                || ++answered == closeAfter;
                        head.setLength(0);
                        respond(ctx, close);
                    }
                }
            } finally {
                in.release();
            }
        }

        private void respond(ChannelHandlerContext ctx, boolean close) {
            requests.incrementAndGet();
            String st = state.get();
            String status = switch (st) {
                case "enabled" -> "200 OK";
                case "disabled" -> "404 node is unavailable";
                default -> "503 node is offline";
            };
            String body = st + "\n";
            String response = "HTTP/1.1 " + status + "\r\nServer: test\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length() + "\r\nX-Plight-State: " + st + "\r\n"
                    + (close ? "Connection: close\r\n" : "") + "\r\n" + body;
            if (pending == null) {
                pending = ctx.alloc().buffer();
            }
            pending.writeCharSequence(response, StandardCharsets.US_ASCII);
            if (close) {
                closing = true;
                ByteBuf out = pending;
                pending = null;
                ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
                    if (f.channel() instanceof SocketChannel sc) {
                        sc.shutdownOutput().addListener(x -> sc.eventLoop().schedule(() -> sc.close(), 1,
                                TimeUnit.SECONDS));
                    } else {
                        f.channel().close();
                    }
                });
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pending != null) {
                ByteBuf out = pending;
                pending = null;
                ctx.writeAndFlush(out);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
