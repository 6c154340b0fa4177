package plight.probe.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelHandlerContext;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import plight.config.GrpcSettings;
import plight.grpc.Health;
import plight.probe.Http2Switch;
import plight.probe.LiveResponses;
import plight.probe.ProbeListener;
import plight.probe.ResponseTable;
import plight.probe.Turns;

/**
 * HTTP/2 on the probe port, and gRPC health on top of it: takes over the connections {@code ProbeHandler}
 * hands on, and keeps what they share — the answers of the current table, the counters, the connections that
 * have gRPC watches to tell about a change.
 */
public final class H2Server implements Http2Switch {
    /**
     * SETTINGS_MAX_CONCURRENT_STREAMS: nginx's default. A prober needs one stream; a gRPC client that watches many
     * services opens more connections (grpc-java opens one per channel, and queues calls beyond the limit).
     */
    static final int MAX_CONCURRENT_STREAMS = 128;
    /** SETTINGS_MAX_HEADER_LIST_SIZE: as HTTP/1's header section limit. */
    static final int MAX_HEADER_LIST_SIZE = 16 * 1024;
    /**
     * SETTINGS_HEADER_TABLE_SIZE for our HPACK decoder, from the client's acknowledgement of our SETTINGS on: a
     * prober sends a handful of headers, and 4 KiB (the default) per connection is the larger part of what an
     * idle HTTP/2 connection keeps.
     */
    static final int HEADER_TABLE_SIZE = 512;

    /**
     * Daemon-wide bounds on what HTTP/2 may keep on the heap, whatever clients send: open HTTP/2 connections,
     * open streams, and gRPC watches (which stay open for as long as the client wants). Beyond them a new
     * HTTP/2 connection gets GOAWAY at once (an h2c upgrade is answered in HTTP/1.1), a new stream RST_STREAM
     * REFUSED_STREAM, a new watch grpc-status 8; HTTP/1 probes are not affected.
     *
     * <p>The shipped heap is 64 MiB (bin/plight). Measured live heap (jcmd GC.class_histogram, Netty 4.2): the
     * daemon ~12 MB; an idle HTTP/1 connection ~1.6 KiB; an idle HTTP/2 connection ~7.4 KiB, ~12.6 KiB with a
     * full 4 KiB HPACK table (a client that never acknowledges our smaller table); an open stream ~0.5 KiB,
     * ~0.6 KiB for a watch. Worst case at the default max_connections = 10,000 with {@link #forMaxConnections}:
     * 12 MB + 9,000 x 1.6 KiB (14 MB) + 1,000 x 12.6 KiB (12.6 MB) + 8,192 x 0.6 KiB (4.9 MB) = ~44 MB, which
     * leaves ~20 MB for buffers in flight. Without the bounds, 10,000 connections x 128 streams did not fit.
     */
    public record Limits(int connections, int streams, int watches) {
        public static final int MAX_CONNECTIONS = 1000;
        public static final int MAX_STREAMS = 8192;
        public static final int MAX_WATCHES = 4096;
        /** For max_connections = 10,000 (the default) or more. */
        public static final Limits DEFAULT = new Limits(MAX_CONNECTIONS, MAX_STREAMS, MAX_WATCHES);

        public Limits {
            if (connections < 1 || streams < 1 || watches < 1) {
                throw new IllegalArgumentException("HTTP/2 limits must be at least 1: " + connections + ", " + streams
                        + ", " + watches);
            }
        }

        /**
         * Half of {@code max_connections} (at least 1), at most {@link #MAX_CONNECTIONS}: connections that hold
         * watches (exempt from idle_timeout) can never take every slot from HTTP/1 probes.
         */
        public static Limits forMaxConnections(int maxConnections) {
            return new Limits(Math.max(1, Math.min(MAX_CONNECTIONS, maxConnections / 2)), MAX_STREAMS, MAX_WATCHES);
        }

        /**
         * Connections that may hold gRPC watches at a time: half of {@link #connections} (rounded down), so that
         * the other half is always there for a prober that opens a connection per {@code Check}.
         */
        public int watchingConnections() {
            return connections / 2;
        }

        /** Of {@link #watchingConnections}, from one client address: half (at least 1), so no client takes them all. */
        public int watchingConnectionsPerPeer() {
            return Math.min(watchingConnections(), Math.max(1, watchingConnections() / 2));
        }
    }

    /** What a connection over {@link Limits#connections} gets: an empty SETTINGS (the server preface), GOAWAY. */
    private static final ByteBuf TOO_MANY = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(new byte[] {
            0, 0, 0, 4, 0, 0, 0, 0, 0, // SETTINGS, empty
            0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11})).asReadOnly(); // GOAWAY, last stream 0, ENHANCE_YOUR_CALM

    /** The answer that hands an upgrading connection over (RFC 7540 3.2). */
    private static final ByteBuf SWITCHING = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII))).asReadOnly();

    private final LiveResponses responses;
    private final ProbeListener listener;
    private final Health health;
    private final long requestTimeoutNanos;
    private final long idleTimeoutNanos;
    private final Map<String, LongAdder> h2Served = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> grpcServed = new ConcurrentHashMap<>();
    private final AtomicInteger h2Open = new AtomicInteger();
    private final AtomicInteger grpcOpen = new AtomicInteger();
    private final BoundedCount connections;
    private final BoundedCount streams;
    private final BoundedCount watches;
    private final WatchShare watching;
    /** Connections with at least one gRPC watch. */
    private final Set<H2Connection> watchers = ConcurrentHashMap.newKeySet();
    private volatile H2Answers answers;

    public H2Server(LiveResponses responses, ProbeListener listener, GrpcSettings grpc, Duration requestTimeout,
                    Duration idleTimeout) {
        this(responses, listener, grpc, requestTimeout, idleTimeout, Limits.DEFAULT);
    }

    public H2Server(LiveResponses responses, ProbeListener listener, GrpcSettings grpc, Duration requestTimeout,
                    Duration idleTimeout, Limits limits) {
        this.connections = new BoundedCount(limits.connections(), "HTTP/2 connections over the limit of "
                + limits.connections() + " (GOAWAY, or no upgrade)");
        this.streams = new BoundedCount(limits.streams(), "HTTP/2 streams over the limit of " + limits.streams()
                + " open (REFUSED_STREAM)");
        this.watches = new BoundedCount(limits.watches(), "gRPC watches over the limit of " + limits.watches()
                + " (RESOURCE_EXHAUSTED)");
        this.watching = new WatchShare(limits.watchingConnections(), limits.watchingConnectionsPerPeer());
        this.responses = responses;
        this.listener = listener;
        this.health = new Health(grpc);
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
        responses.onShow(this::stateShown);
    }

    /**
     * A new HTTP/2 connection's setup (its handler, HPACK, flow control, our SETTINGS) and first frames, counted
     * against a turn's budget as this many HTTP/1 answers, so that one turn sets up a handful of connections at
     * most (H2SetupCost: 10–35 us each once compiled, 2–3 ms before the JIT has compiled that code, which with
     * C2 alone takes thousands of connections).
     */
    static final int SETUP_COST = 64;

    /**
     * Admits the connection, or refuses it at once; an admitted one is set up in a later turn of the event loop
     * (see {@link Turns}), not here: a thousand connections that open at once would otherwise all be set up in
     * the one turn that reads them, and a probe that arrived with them would wait for all of that.
     */
    @Override
    public void priorKnowledge(ChannelHandlerContext ctx, ByteBuf input, Turns.Queue turns) {
        if (!admit()) {
            input.release();
            ctx.writeAndFlush(TOO_MANY.duplicate()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // Nothing more is read until the setup: the rest of the client's input waits in the kernel.
        ctx.channel().config().setAutoRead(false);
        turns.add(new Setup(ctx, exact(input), turns));
    }

    /** What is kept of {@code input} until the setup: a buffer of its size, not the read buffer's pool chunk. */
    private static ByteBuf exact(ByteBuf input) {
        try {
            int n = input.readableBytes();
            return Unpooled.directBuffer(n, n).writeBytes(input);
        } finally {
            input.release();
        }
    }

    /** An admitted connection waiting for its turn to be set up; it holds its slot meanwhile. */
    private final class Setup implements Turns.Waiting {
        private final ChannelHandlerContext ctx;
        private final ByteBuf input;
        private final Turns.Queue turns;

        Setup(ChannelHandlerContext ctx, ByteBuf input, Turns.Queue turns) {
            this.ctx = ctx;
            this.input = input;
            this.turns = turns;
        }

        @Override
        public int takeTurn() {
            if (!ctx.channel().isActive() || ctx.isRemoved()) {
                input.release(); // closed meanwhile: by the client, or at the request timeout
                connectionClosed();
                return 0;
            }
            H2Connection connection;
            try {
                connection = H2Connection.create(H2Server.this, turns);
                ctx.pipeline().replace(ctx.handler(), "h2", connection);
            } catch (RuntimeException e) {
                // Not set up (a bug): the connection ends, its slot and input with it, and the probe handler
                // reports it as it reports its own failures (once a minute per kind).
                input.release();
                connectionClosed();
                try {
                    ctx.handler().exceptionCaught(ctx, e);
                } catch (Exception ignored) {
                    ctx.close();
                }
                return 0;
            }
            lingerAndHold(ctx, connection);
            return SETUP_COST + connection.takeOver(input);
        }
    }

    /**
     * The handlers before the connection's: its gentle close, and its hold on reads. While the close lingers
     * (up to request_timeout, for a client that keeps its end open) the connection's HTTP/2 handler is removed,
     * which counts it out of the HTTP/2 connections and frees what it holds: a connection refused its watch, or
     * closed at the idle timeout, then weighs what a closing HTTP/1 connection does.
     */
    private void lingerAndHold(ChannelHandlerContext ctx, H2Connection connection) {
        ChannelHandler hold = connection.holdReads();
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addBefore("h2", "linger", new LingeringClose(requestTimeoutNanos, () -> {
            if (pipeline.context(connection) != null) {
                pipeline.remove(connection);
                pipeline.remove(hold);
            }
        }));
        pipeline.addBefore("h2", "hold", hold);
    }

    @Override
    public boolean upgrade(ChannelHandlerContext ctx, Upgrade request, ByteBuf rest, Turns.Queue turns) {
        Http2Settings settings = settings(request.http2Settings());
        if (settings == null) {
            return false;
        }
        if (!admit()) {
            return false; // answered in HTTP/1.1: an upgrade is only ever offered
        }
        ctx.write(SWITCHING.duplicate(), ctx.voidPromise());
        H2Connection connection = H2Connection.create(this, turns);
        ctx.pipeline().replace(ctx.handler(), "h2", connection);
        lingerAndHold(ctx, connection);
        connection.upgraded(settings, request, rest);
        return true;
    }

    /** Counts a new HTTP/2 connection in, or refuses it; {@link #connectionClosed} counts it out. */
    private boolean admit() {
        return connections.add();
    }

    void connectionClosed() {
        connections.remove(1);
    }

    /** A stream was opened: {@code false} (and not counted) when it must be refused. */
    boolean streamOpened() {
        return streams.add();
    }

    void streamsClosed(int n) {
        streams.remove(n);
    }

    /** A watch starts: {@code false} (and not counted) when it must be refused. */
    boolean watchStarted() {
        return watches.add();
    }

    void watchesEnded(int n) {
        watches.remove(n);
    }

    /** Open HTTP/2 connections, streams, gRPC watches and connections holding watches, for tests. */
    int[] counts() {
        return new int[] {connections.get(), streams.get(), watches.get(), watching.count()};
    }

    /** The {@code HTTP2-Settings} header: a SETTINGS payload in base64url (RFC 7540 3.2.1); {@code null} if malformed. */
    static Http2Settings settings(String header) {
        byte[] payload;
        try {
            payload = Base64.getUrlDecoder().decode(header.replace("=", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (payload.length % 6 != 0) {
            return null;
        }
        Http2Settings settings = new Http2Settings();
        for (int i = 0; i < payload.length; i += 6) {
            char id = (char) ((payload[i] & 0xff) << 8 | payload[i + 1] & 0xff);
            long value = (payload[i + 2] & 0xffL) << 24 | (payload[i + 3] & 0xff) << 16 | (payload[i + 4] & 0xff) << 8
                    | payload[i + 5] & 0xff;
            try {
                settings.put(id, Long.valueOf(value));
            } catch (IllegalArgumentException outOfRange) {
                return null;
            }
        }
        return settings;
    }

    /** The answers for the table probes are answered from now; rendered by the first request that needs them. */
    H2Answers answers() {
        ResponseTable table = responses.current();
        H2Answers a = answers;
        if (a == null || a.table != table) {
            // Two event loops may render the same table at once: both results are equal, either may stay.
            String name = table.state().name();
            a = H2Answers.render(table, h2Served.computeIfAbsent(name, n -> new LongAdder()),
                    grpcServed.computeIfAbsent(name, n -> new LongAdder()));
            answers = a;
        }
        return a;
    }

    /** After a state change is published: each connection with watches hears of it on its own event loop. */
    private void stateShown() {
        for (H2Connection c : watchers) {
            c.stateChangedLater();
        }
    }

    /**
     * Connection {@code c} from {@code peer} is to hold its first watch: {@code false} (and nothing counted) when
     * it must be refused, for the share of the connection slots that watching connections may take.
     */
    boolean startWatching(H2Connection c, InetAddress peer) {
        if (!watching.enter(peer)) {
            return false;
        }
        watchers.add(c);
        return true;
    }

    /** Connection {@code c}, which {@link #startWatching started}, holds no watch any more. */
    void stoppedWatching(H2Connection c, InetAddress peer) {
        watchers.remove(c);
        watching.leave(peer);
    }

    Health health() {
        return health;
    }

    ProbeListener listener() {
        return listener;
    }

    long requestTimeoutNanos() {
        return requestTimeoutNanos;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** A connection speaks HTTP/2 from now: counted in {@link #openH2} until its first gRPC call. */
    void countOpened() {
        h2Open.incrementAndGet();
    }

    /** Its first gRPC call: counted in {@link #openGrpc} from now. */
    void countAsGrpc() {
        h2Open.decrementAndGet();
        grpcOpen.incrementAndGet();
    }

    void countClosed(boolean grpc) {
        (grpc ? grpcOpen : h2Open).decrementAndGet();
    }

    /** HTTP/2 probes (GET, HEAD, OPTIONS) answered per state name. */
    public Map<String, Long> h2Served() {
        return snapshot(h2Served);
    }

    /** gRPC health calls answered per state name. */
    public Map<String, Long> grpcServed() {
        return snapshot(grpcServed);
    }

    /** Open HTTP/2 connections that have carried no gRPC call. */
    public int openH2() {
        return h2Open.get();
    }

    /** Open HTTP/2 connections that have carried a gRPC call. */
    public int openGrpc() {
        return grpcOpen.get();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
        Map<String, Long> copy = new LinkedHashMap<>();
        counts.forEach((name, n) -> copy.put(name, n.sum()));
        return copy;
    }

}
