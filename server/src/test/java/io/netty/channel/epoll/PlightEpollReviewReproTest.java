package io.netty.channel.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import plight.testkit.Await;

/**
 * Review reproductions (branch s18-review-epoll): plight's accepted epoll channel against Netty's own
 * {@link EpollServerSocketChannel}/{@link EpollSocketChannel} on the same real sockets. A test here fails where
 * plight's channel behaves differently from Netty's (see /work/wt/review-epoll-findings.md).
 */
class PlightEpollReviewReproTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<EpollIoHandler> handlers = new CopyOnWriteArrayList<>();
    private final List<EventLoopGroup> groups = new ArrayList<>();
    private final List<Channel> servers = new ArrayList<>();

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
        Channel s = b.bind(host, 0).syncUninterruptibly().channel();
        servers.add(s);
        return (InetSocketAddress) s.localAddress();
    }

    private static String readAll(Socket client) throws IOException {
        client.setSoTimeout((int) WAIT.toMillis());
        InputStream in = client.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
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
        // The agent and metrics listeners (SidePort) set no SO_SNDBUF on the listener.
        long[] netty = gatheringBoundAndSendBuffer(EpollServerSocketChannel.class, b -> { });
        long[] plight = gatheringBoundAndSendBuffer(PlightEpollServerSocketChannel.class, b -> { });
        System.out.printf("no listener SO_SNDBUF: netty bound=%d sndbuf=%d; plight bound=%d sndbuf=%d%n",
                netty[0], netty[1], plight[0], plight[1]);
        assertEquals(netty[0], plight[0], "bound on writev per call (plight's connection's SO_SNDBUF is " + plight[1] + ")");
    }

    @Test
    void withTheProbePortsListenerSendBufferTheGatheringBoundIsNettys() throws Exception {
        IntegerUnixChannelOption sndbuf = new IntegerUnixChannelOption("SO_SNDBUF", 1, 7);
        long[] netty = gatheringBoundAndSendBuffer(EpollServerSocketChannel.class, b -> b.option(sndbuf, 16 * 1024));
        long[] plight = gatheringBoundAndSendBuffer(PlightEpollServerSocketChannel.class, b -> b.option(sndbuf, 16 * 1024));
        System.out.printf("listener SO_SNDBUF 16k: netty bound=%d sndbuf=%d; plight bound=%d sndbuf=%d%n",
                netty[0], netty[1], plight[0], plight[1]);
        assertEquals(netty[0], plight[0]);
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
                            if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
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
        assertEquals(0, errors.get());
    }

    /**
     * How many entries the loop's epoll set has for fd N once connection A at N, whose descriptor was duplicated
     * elsewhere (a forked child before its exec, an fd passed over a Unix socket), was closed and connection B was
     * accepted at N again. epoll(7): closing a descriptor removes it from an epoll set only once every
     * descriptor of the open file is closed; the stale entry keeps reporting the old socket under number N.
     */
    private int epollEntriesAtTheReusedNumber(Class<? extends ServerChannel> type, java.nio.file.Path dir) throws Exception {
        java.util.Map<Integer, AtomicInteger> readCompletes = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.BlockingQueue<Channel> accepted = new java.util.concurrent.LinkedBlockingQueue<>();
        InetSocketAddress address = listen(type, InetAddress.getLoopbackAddress(), group(1), b -> { }, ch -> {
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
        try (Socket clientA = new Socket(address.getAddress(), address.getPort())) {
            Channel a = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            int n = ((AbstractEpollChannel) a).fd().intValue();
            // A duplicate of A's descriptor, held as a forked child would hold it.
            io.netty.channel.unix.Socket listener = io.netty.channel.unix.Socket.newSocketDomain();
            io.netty.channel.unix.Socket sender = io.netty.channel.unix.Socket.newSocketDomain();
            io.netty.channel.unix.DomainSocketAddress path =
                    new io.netty.channel.unix.DomainSocketAddress(dir.resolve(type.getSimpleName()).toString());
            listener.bind(path);
            listener.listen(1);
            sender.connect(path);
            io.netty.channel.unix.Socket receiver = new io.netty.channel.unix.Socket(listener.accept(new byte[32]));
            assertTrue(sender.sendFd(n) > 0, "fd sent");
            int dup = receiver.recvFd();
            assertTrue(dup > 0, "fd received: " + dup);
            try (java.nio.channels.SocketChannel clientB = java.nio.channels.SocketChannel.open()) {
                // B's client takes its descriptor now, so that the server's accept gets N again.
                a.close().sync();
                clientB.connect(address);
                Channel b = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(n, ((AbstractEpollChannel) b).fd().intValue(), "B accepted at A's old descriptor number");
                List<String> watching = epollEntries(n);
                clientA.getOutputStream().write("for A only".getBytes(StandardCharsets.US_ASCII));
                // Evidence only (the assertion is on the epoll set): B, whose client sent nothing, is woken for A's
                // input over and over, level-triggered, while nothing can drain it (about 120,000 times a second).
                try {
                    Await.until(() -> readCompletes.get(n).get() > 0, Duration.ofSeconds(2), "B woken");
                } catch (AssertionError notWoken) {
                    // Netty's channel: never
                }
                System.out.println(type.getSimpleName() + ": fd " + n + ", dup " + dup + ", B woken "
                        + readCompletes.get(n).get() + " times; epoll entries for fd " + n + ": " + watching);
                int woken = watching.size();
                b.close().sync();
                return woken;
            } finally {
                new io.netty.channel.unix.FileDescriptor(dup).close();
                receiver.close();
                sender.close();
                listener.close();
            }
        }
    }

    /** The lines of /proc/self/fdinfo of every epoll descriptor of this process that watch descriptor number n. */
    private static List<String> epollEntries(int n) throws IOException {
        List<String> found = new ArrayList<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : fds.toList()) {
                try {
                    if (!java.nio.file.Files.readSymbolicLink(fd).toString().contains("eventpoll")) {
                        continue;
                    }
                    for (String line : java.nio.file.Files.readAllLines(
                            java.nio.file.Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                        if (line.startsWith("tfd:") && line.split("\\s+")[1].equals(String.valueOf(n))) {
                            found.add("epfd " + fd.getFileName() + ": " + line);
                        }
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return found;
    }

    @Test
    void aConnectionIsNotWokenForTheInputOfAClosedOneWhoseDescriptorLivesOnElsewhere(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertEquals(1, epollEntriesAtTheReusedNumber(EpollServerSocketChannel.class, dir), "Netty's channel");
        assertEquals(1, epollEntriesAtTheReusedNumber(PlightEpollServerSocketChannel.class, dir), "plight's channel");
    }
}
