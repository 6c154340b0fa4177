package io.netty.channel.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.probe.Transport;
import plight.testkit.Await;

/**
 * The epoll channels of plight's listeners ({@link Transport#EPOLL}): they behave as Netty's own do (several tests
 * run Netty's {@link EpollServerSocketChannel} and plight's on the same scenario), and they skip the system calls per
 * connection that Netty's {@link EpollSocketChannel} makes and nginx does not. What the kernel watches is read from
 * /proc/self/fdinfo ({@link KernelEpollSet}). In Netty's package to see the channel's epoll flags; the calls
 * themselves are counted by bench/scripts/syscalls.sh.
 */
class PlightEpollChannelsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<EpollIoHandler> handlers = new CopyOnWriteArrayList<>();
    private final List<EventLoopGroup> groups = new ArrayList<>();
    private final List<Channel> servers = new ArrayList<>();
    private Channel server;

    @AfterEach
    void stop() {
        for (Channel s : servers) {
            s.close().syncUninterruptibly();
        }
        for (EventLoopGroup g : groups) {
            g.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private EventLoopGroup group(int threads) {
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(threads, executor -> {
            EpollIoHandler h = (EpollIoHandler) EpollIoHandler.newFactory().newHandler(executor);
            handlers.add(h);
            return h;
        });
        groups.add(g);
        return g;
    }

    /** Listens on loopback with the transport's server channel; {@code accepted} sees each connection's channel. */
    private InetSocketAddress listen(Consumer<Channel> accepted) {
        return listen(Transport.EPOLL.serverChannel(), InetAddress.getLoopbackAddress(), group(1), b -> { }, accepted);
    }

    private InetSocketAddress listen(Class<? extends ServerChannel> type, InetAddress host, EventLoopGroup g,
                                     Consumer<ServerBootstrap> options, Consumer<Channel> accepted) {
        ServerBootstrap b = new ServerBootstrap().group(g).channel(type)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.accept(ch);
                    }
                });
        options.accept(b);
        server = b.bind(host, 0).syncUninterruptibly().channel();
        servers.add(server);
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
        int listener = ((AbstractEpollChannel) server).fd().intValue();
        Await.until(() -> watchedBesidesNettysOwn(listener).equals(List.of(listener)), WAIT,
                "the kernel's epoll set watches only the listener");
    }

    /** The descriptors the epoll set watching {@code listener} watches, but the event loop's own eventfd/timerfd. */
    private static List<Integer> watchedBesidesNettysOwn(int listener) {
        try {
            List<Integer> watched = new ArrayList<>();
            for (KernelEpollSet.Entry e : KernelEpollSet.setWatching(listener)) {
                if (!KernelEpollSet.isNettysOwn(e.fd())) {
                    watched.add(e.fd());
                }
            }
            return watched;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void makingAConnectionsChannelAsksItsSocketNothing() throws Exception {
        // A second LinuxSocket on a descriptor then closed through the first: every system call on it fails
        // (Netty's own channel fails here, with a ClosedChannelException: it asks for the local address at once).
        // Lower numbers are freed with it, so that a descriptor opened meanwhile by any thread takes one of those
        // and the number stays closed (checked at the end): a call on it cannot succeed on another socket.
        List<LinuxSocket> lower = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            lower.add(LinuxSocket.newSocketStream());
        }
        LinuxSocket owner = LinuxSocket.newSocketStream();
        LinuxSocket socket = new LinuxSocket(owner.intValue());
        int n = owner.intValue();
        owner.close();
        for (LinuxSocket s : lower) {
            s.close();
        }
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        PlightEpollSocketChannel ch = new PlightEpollSocketChannel(null, socket, remote, null, 4096);
        assertEquals(-1, KernelEpollSet.inodeOf(n), "descriptor " + n + " still closed");
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

    /** The local address a close listener sees on a connection closed by its client. */
    private SocketAddress localAddressSeenAfterClose(Class<? extends ServerChannel> type) throws Exception {
        CompletableFuture<SocketAddress> seen = new CompletableFuture<>();
        // 0.0.0.0:0 stands for null
        InetSocketAddress address = listen(type, InetAddress.getLoopbackAddress(), group(1), b -> { },
                ch -> {
                    ch.closeFuture().addListener(f -> seen.complete(
                            ch.localAddress() == null ? new InetSocketAddress(0) : ch.localAddress()));
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            ctx.close(); // the client's end of input
                        }
                    });
                });
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.shutdownOutput();
            readAll(client);
        }
        return seen.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aClosedConnectionStillKnowsItsLocalAddressAsNettysDoes() throws Exception {
        SocketAddress netty = localAddressSeenAfterClose(EpollServerSocketChannel.class);
        SocketAddress plight = localAddressSeenAfterClose(PlightEpollServerSocketChannel.class);
        assertTrue(((InetSocketAddress) netty).getPort() != 0, "Netty's channel: " + netty);
        // plight's channel: localAddress() is null once closed unless someone asked while it was open
        assertEquals(((InetSocketAddress) netty).getAddress(), ((InetSocketAddress) plight).getAddress(),
                "plight's channel after close (0.0.0.0:0 stands for null): " + plight);
    }

    /** How many reads a child with AUTO_READ off gets although it never asked, after its client sent bytes. */
    private int unaskedReads(Class<? extends ServerChannel> type) throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<Channel> child = new CompletableFuture<>();
        InetSocketAddress address = listen(type, InetAddress.getLoopbackAddress(), group(1),
                b -> b.childOption(ChannelOption.AUTO_READ, false),
                ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        child.complete(ctx.channel());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        reads.incrementAndGet();
                        ReferenceCountUtil.release(msg);
                    }
                }));
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            Channel ch = child.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            client.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // Loopback queues the bytes before write returns; a task submitted now wakes the loop, whose epoll_wait
            // reports the socket readable in the same batch if it is subscribed; two rounds to be sure.
            for (int i = 0; i < 3; i++) {
                ch.eventLoop().submit(() -> { }).sync();
            }
            return reads.get();
        }
    }

    @Test
    void aConnectionWithAutoReadOffIsNotReadUntilItAsksAsNettysIsNot() throws Exception {
        assertEquals(0, unaskedReads(EpollServerSocketChannel.class), "Netty's channel");
        assertEquals(0, unaskedReads(PlightEpollServerSocketChannel.class), "plight's channel");
    }

    private long[] gatheringBoundAndSendBuffer(Class<? extends ServerChannel> type, Consumer<ServerBootstrap> options)
            throws Exception {
        CompletableFuture<long[]> seen = new CompletableFuture<>();
        InetSocketAddress address = listen(type, InetAddress.getLoopbackAddress(), group(1), options,
                ch -> seen.complete(new long[] {((EpollChannelConfig) ch.config()).getMaxBytesPerGatheringWrite(),
                        ((io.netty.channel.socket.SocketChannelConfig) ch.config()).getSendBufferSize()}));
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            return seen.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void withoutAListenerSendBufferTheGatheringBoundIsNettysTwiceTheConnectionsBuffer() throws Exception {
        // The agent and metrics listeners (SidePort) set no SO_SNDBUF on the listener: Linux sizes each accepted
        // socket's buffer itself, so each connection reads its own, as Netty's does.
        long[] netty = gatheringBoundAndSendBuffer(EpollServerSocketChannel.class, b -> { });
        long[] plight = gatheringBoundAndSendBuffer(PlightEpollServerSocketChannel.class, b -> { });
        assertEquals(netty[0], plight[0], "bound on writev per call (plight's connection's SO_SNDBUF is " + plight[1] + ")");
    }

    @Test
    void withTheProbePortsListenerSendBufferTheGatheringBoundIsNettys() throws Exception {
        IntegerUnixChannelOption sndbuf = new IntegerUnixChannelOption("SO_SNDBUF", 1, 7);
        long[] netty = gatheringBoundAndSendBuffer(EpollServerSocketChannel.class, b -> b.option(sndbuf, 16 * 1024));
        long[] plight = gatheringBoundAndSendBuffer(PlightEpollServerSocketChannel.class, b -> b.option(sndbuf, 16 * 1024));
        assertEquals(netty[0], plight[0]);
        assertEquals(2L * plight[1], plight[0], "twice the connection's send buffer");
    }

    private List<String> addressesSeen(Class<? extends ServerChannel> type, InetAddress listenOn, InetAddress connectTo)
            throws Exception {
        CompletableFuture<Channel> child = new CompletableFuture<>();
        InetSocketAddress address = listen(type, listenOn, group(1), b -> { }, child::complete);
        try (Socket client = new Socket(connectTo, address.getPort())) {
            Channel ch = child.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return List.of(String.valueOf(ch.remoteAddress()).replaceAll(":\\d+$", ":port"),
                    String.valueOf(ch.localAddress()), String.valueOf(ch.localAddress() instanceof InetSocketAddress i
                            && i.getAddress() instanceof Inet6Address));
        }
    }

    @Test
    void ipv6AndDualStackAddressesAreNettys() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        InetAddress any6 = InetAddress.getByName("::");
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        for (InetAddress[] c : new InetAddress[][] {{v6, v6}, {any6, v4}, {any6, v6}, {v4, v4}}) {
            List<String> netty = addressesSeen(EpollServerSocketChannel.class, c[0], c[1]);
            List<String> plight = addressesSeen(PlightEpollServerSocketChannel.class, c[0], c[1]);
            assertEquals(netty.subList(0, 1), plight.subList(0, 1), "remote, listening on " + c[0] + " from " + c[1]);
            assertEquals(netty.get(1).replaceAll(":\\d+$", ""), plight.get(1).replaceAll(":\\d+$", ""),
                    "local, listening on " + c[0] + " from " + c[1]);
        }
    }

    /**
     * Two event loops, clients that half-close, reset right after sending, or just read; the server answers on
     * each request's end of input and closes. Descriptor numbers are reused constantly across the loops.
     */
    @Test
    void churnOnTwoLoopsWithResetsAndHalfClosesLeavesNothingRegisteredAndAnswersEveryone() throws Exception {
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        InetSocketAddress address = listen(PlightEpollServerSocketChannel.class, InetAddress.getLoopbackAddress(),
                group(2), b -> { }, ch -> {
                    open.incrementAndGet();
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ((ByteBuf) msg).release();
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof ChannelInputShutdownEvent) {
                                ctx.writeAndFlush(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII))
                                        .addListener(ChannelFutureListener.CLOSE);
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            if (!(cause instanceof IOException)) {
                                errors.incrementAndGet();
                                cause.printStackTrace();
                            }
                            ctx.close();
                        }
                    });
                });
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> answered = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                final int kind = t % 3;
                answered.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 400; i++) {
                        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
                            client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                            if (kind == 0) {
                                client.setSoLinger(true, 0); // RST on close, before any answer
                                continue;
                            }
                            client.shutdownOutput();
                            if ("x".equals(readAll(client))) {
                                ok++;
                            }
                        }
                    }
                    return kind == 0 ? 400 : ok;
                }));
            }
            for (Future<Integer> f : answered) {
                assertEquals(400, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        Await.until(() -> open.get() == 0, WAIT, "every connection closed");
        int total = 0;
        for (EpollIoHandler h : handlers) {
            total += h.numRegisteredChannels(); // read off the loop, after it went quiet
        }
        assertEquals(1, total, "only the listener registered");
        int listener = ((AbstractEpollChannel) server).fd().intValue();
        List<Integer> watched = new ArrayList<>();
        for (Channel s : servers) {
            watched.addAll(watchedBesidesNettysOwn(((AbstractEpollChannel) s).fd().intValue()));
        }
        assertEquals(List.of(listener), watched, "the kernel's epoll sets watch only the listener");
        assertEquals(0, errors.get());
    }

    /**
     * Connection A's descriptor is duplicated elsewhere (a forked child before its exec, a descriptor passed over a
     * Unix socket: here the latter), A is closed by the server, and B is accepted at A's number. epoll(7): closing a
     * descriptor takes it off an epoll set only once every descriptor of its open file is closed, so a channel that
     * closed before deregistering left A in the set, and A's input then woke B, level-triggered, without end.
     */
    @Test
    void aConnectionIsNotWokenForTheInputOfAClosedOneWhoseDescriptorLivesOnElsewhere(@TempDir Path dir)
            throws Exception {
        Map<Integer, AtomicInteger> readCompletes = new ConcurrentHashMap<>();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        InetSocketAddress address = listen(ch -> {
            AtomicInteger count = new AtomicInteger();
            readCompletes.put(((AbstractEpollChannel) ch).fd().intValue(), count);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    count.incrementAndGet();
                }
            });
            accepted.add(ch);
        });
        io.netty.channel.unix.Socket unixListener = io.netty.channel.unix.Socket.newSocketDomain();
        io.netty.channel.unix.Socket sender = io.netty.channel.unix.Socket.newSocketDomain();
        io.netty.channel.unix.Socket receiver = null;
        int dup = -1;
        try (Socket clientA = new Socket(address.getAddress(), address.getPort());
             java.nio.channels.SocketChannel clientB = java.nio.channels.SocketChannel.open()) {
            Channel a = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            int n = ((AbstractEpollChannel) a).fd().intValue();
            DomainSocketAddress path = new DomainSocketAddress(dir.resolve("dup").toString());
            unixListener.bind(path);
            unixListener.listen(1);
            sender.connect(path);
            receiver = new io.netty.channel.unix.Socket(unixListener.accept(new byte[32]));
            assertTrue(sender.sendFd(n) > 0, "descriptor sent");
            dup = receiver.recvFd();
            assertTrue(dup > 0, "descriptor received: " + dup);
            // clientB took its descriptor when opened, so that the server's accept gets n again.
            a.close().sync();
            clientB.connect(address);
            Channel b = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(n, ((AbstractEpollChannel) b).fd().intValue(), "B accepted at A's descriptor number");
            long inodeB = KernelEpollSet.inodeOf(n);
            List<KernelEpollSet.Entry> atN = KernelEpollSet.setWatching(n).stream().filter(e -> e.fd() == n).toList();
            assertEquals(1, atN.size(), "entries for descriptor " + n + ": " + atN);
            assertEquals(inodeB, atN.get(0).inode(), "the entry is B's socket");
            clientA.getOutputStream().write("for A only".getBytes(StandardCharsets.US_ASCII));
            // Loopback queues the bytes before write returns; each task wakes the loop, whose epoll_wait reports
            // a stale entry of A's as ready in the same turn.
            for (int i = 0; i < 3; i++) {
                b.eventLoop().submit(() -> { }).sync();
            }
            assertEquals(0, readCompletes.get(n).get(), "B woken for A's input");
        } finally {
            if (dup > 0) {
                new io.netty.channel.unix.FileDescriptor(dup).close();
            }
            if (receiver != null) {
                receiver.close();
            }
            sender.close();
            unixListener.close();
        }
    }

    @Test
    void aLingerTimeAsAChildOptionIsRefusedOnceWhenBinding() {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group(1)).channel(Transport.EPOLL.serverChannel())
                .childOption(ChannelOption.SO_LINGER, 5)
                .childHandler(new ChannelInboundHandlerAdapter());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transport.bind(bootstrap, "127.0.0.1", 0, "agent port"));
        assertTrue(e.getMessage().startsWith("SO_LINGER is not supported on connections of the epoll transport (127.0.0.1 agent port 0)"),
                e.getMessage());
    }

    @Test
    void aListenerWhoseSocketCannotTurnNagleOffClosesIt() {
        // A Unix socket has no TCP_NODELAY: the constructor's setsockopt fails.
        LinuxSocket socket = LinuxSocket.newSocketDomain();
        ChannelException e = assertThrows(ChannelException.class, () -> new PlightEpollServerSocketChannel(socket));
        assertFalse(socket.isOpen(), "the listener's socket closed after " + e);
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
