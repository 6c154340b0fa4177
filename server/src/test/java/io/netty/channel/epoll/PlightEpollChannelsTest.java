package io.netty.channel.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import plight.probe.Transport;
import plight.testkit.Await;

/**
 * The epoll channels of plight's listeners ({@link Transport#EPOLL}): they behave as Netty's own do, and they skip
 * the system calls per connection that Netty's {@link EpollSocketChannel} makes and nginx does not. In Netty's
 * package to see the channel's epoll flags; the calls themselves are counted by bench/scripts/syscalls.sh.
 */
class PlightEpollChannelsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final AtomicReference<EpollIoHandler> handler = new AtomicReference<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, executor -> {
        handler.set((EpollIoHandler) EpollIoHandler.newFactory().newHandler(executor));
        return handler.get();
    });
    private Channel server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Listens on loopback with the transport's server channel; {@code accepted} sees each connection's channel. */
    private InetSocketAddress listen(Consumer<Channel> accepted) {
        server = new ServerBootstrap().group(group).channel(Transport.EPOLL.serverChannel())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.accept(ch);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).syncUninterruptibly().channel();
        return (InetSocketAddress) server.localAddress();
    }

    private static String readAll(Socket client) throws IOException {
        client.setSoTimeout((int) WAIT.toMillis());
        InputStream in = client.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void anAcceptedConnectionIsRegisteredForInputBeforeItsFirstReadIsAsked() throws Exception {
        CompletableFuture<Boolean> epollIn = new CompletableFuture<>();
        // The initializer runs after the channel's registration with epoll and before channelActive asks to read:
        // Netty's own channel is registered without EPOLLIN then, and adds it with a second epoll_ctl.
        InetSocketAddress address = listen(ch -> epollIn.complete(((AbstractEpollChannel) ch).isFlagSet(Native.EPOLLIN)));
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            assertTrue(epollIn.get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "registered with EPOLLIN");
        }
    }

    @Test
    void anAcceptedConnectionKnowsItsAddressesItsListenerAndHasNagleOff() throws Exception {
        CompletableFuture<Channel> child = new CompletableFuture<>();
        InetSocketAddress address = listen(child::complete);
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            SocketChannel ch = assertInstanceOf(SocketChannel.class, child.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(client.getLocalSocketAddress(), ch.remoteAddress());
            assertEquals(address, ch.localAddress());
            assertSame(server, ch.parent());
            assertTrue(ch.isActive());
            // Set on the listener only: Linux hands it on to the sockets it accepts.
            assertTrue(ch.config().getOption(ChannelOption.TCP_NODELAY), "TCP_NODELAY");
            assertTrue(ch.config().isAllowHalfClosure());
        }
    }

    @Test
    void endOfInputIsAnEventAndTheAnswerStillGoesOut() throws Exception {
        InetSocketAddress address = listen(ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            }
        }));
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("bye", readAll(client));
        }
    }

    @Test
    void connectionsClosedByTheServerLeaveNothingRegisteredAndTheirDescriptorsServeAgain() throws Exception {
        // Each close frees the descriptor number the next accept gets again: an epoll registration or an entry of
        // Netty's left behind by closing before deregistering would show here.
        InetSocketAddress address = listen(ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }));
        for (int i = 0; i < 300; i++) {
            try (Socket client = new Socket(address.getAddress(), address.getPort())) {
                assertEquals("x", readAll(client), "connection " + i);
            }
        }
        Await.until(() -> group.submit(() -> handler.get().numRegisteredChannels()).syncUninterruptibly().getNow() == 1,
                WAIT, "only the listener registered");
    }

    @Test
    void makingAConnectionsChannelAsksItsSocketNothing() throws Exception {
        // A second LinuxSocket on a descriptor then closed through the first: every system call on it fails
        // (Netty's own channel fails here, with a ClosedChannelException: it asks for the local address at once).
        LinuxSocket owner = LinuxSocket.newSocketStream();
        LinuxSocket socket = new LinuxSocket(owner.intValue());
        owner.close();
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        PlightEpollSocketChannel ch = new PlightEpollSocketChannel(null, socket, remote, 4096);
        assertEquals(remote, ch.remoteAddress());
        assertTrue(ch.isActive());
        assertEquals(4096, ch.config().getMaxBytesPerGatheringWrite());
    }

    @Test
    void aLingerTimeIsRefusedSinceClosingNeverLooksForOne() throws Exception {
        CompletableFuture<Channel> child = new CompletableFuture<>();
        InetSocketAddress address = listen(child::complete);
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            Channel ch = child.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThrows(UnsupportedOperationException.class, () -> ch.config().setOption(ChannelOption.SO_LINGER, 5));
        }
    }

    @Test
    void theNettyOnTheClassPathIsTheOneTheseChannelsWereCheckedAgainst() {
        // They override and call Netty's internals (constructors, flags, the order of closing); another release
        // needs them checked again (the list in PlightEpollSocketChannel, bench/scripts/syscalls.sh).
        for (String artifact : new String[] {"netty-transport", "netty-transport-classes-epoll", "netty-transport-native-unix-common"}) {
            assertEquals(PlightEpollServerSocketChannel.NETTY_CHECKED, Version.identify().get(artifact).artifactVersion(), artifact);
        }
    }
}
