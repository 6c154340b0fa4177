package plight.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import plight.config.WebSettings;

/**
 * The probe port: listens on every configured host and answers probes from {@link LiveResponses}.
 * Owns its event loops; also re-renders the responses once a second so their {@code Date} stays current.
 */
public final class ProbeServer implements AutoCloseable {
    /** Far above typical defaults: a fleet's probes can arrive in bursts of new connections. */
    private static final int BACKLOG = 4096;
    /** Connections accepted in one turn of the event loop once turns are long: see {@link AcceptPacing}. */
    private static final int ACCEPTS_PER_TURN = 256;
    /** A turn this long means many connections are busy; probes open connections in far shorter turns. */
    private static final Duration LONG_TURN = Duration.ofMillis(2);
    /** How long the listener stops accepting after {@code accept} fails (descriptors exhausted): see {@link AcceptFailures}. */
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(50);
    /** How long {@link #close} lets queued answers drain, then how long the event loops get to stop. */
    private static final long DRAIN_MILLIS = 500;
    private static final long SHUTDOWN_MILLIS = 500;
    /*
     * Back-pressure per connection (DESIGN.md): how much of us one client that never reads can hold. Answers
     * are 150-300 bytes, so no probe and no pipeline of a few dozen requests reaches any of these limits.
     *
     * SEND_BUFFER, RECEIVE_BUFFER: the kernel's buffers (Linux doubles the figure for its bookkeeping). Left to
     * autotuning, each grows to megabytes, and a few hundred such clients put the whole machine's TCP under
     * memory pressure: dropped packets, one-second retransmissions for every client. Set on the listener,
     * whose accepted sockets inherit them.
     */
    static final int SEND_BUFFER = 16 * 1024;
    static final int RECEIVE_BUFFER = 16 * 1024;
    /** Answers queued in the process beyond what the kernel took; Netty counts ~100 bytes more per answer. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(8 * 1024, 16 * 1024);
    /** Each read takes at most this much input; Netty's default grows to 64 KiB per connection. */
    static final int MAX_READ = 8 * 1024;

    private final WebSettings web;
    private final LiveResponses responses;
    private final Transport transport;
    private final ConnectionGate gate;
    private final ProbeErrors errors;
    private final Rejections rejections = new Rejections();
    private final List<Channel> listening = new ArrayList<>();
    private EventLoopGroup group;
    private volatile ScheduledFuture<?> tick;
    private volatile boolean closed;

    /** Event that ends a connection gracefully, whatever protocol it speaks: answer what is asked, then close. */
    public static final Object STOP = new Object() {
        @Override
        public String toString() {
            return "ProbeServer.STOP";
        }
    };

    /** A probe port that speaks HTTP/1.x only. */
    public ProbeServer(WebSettings web, LiveResponses responses, ProbeListener listener, AccessLog accessLog) {
        this(web, responses, listener, accessLog, Transport.best(), (Http2Switch) null);
    }

    /**
     * A probe port that also speaks HTTP/2 (and what rides on it) through {@code http2} when it is not null.
     * @param transport as {@link Transport#select} chose it for {@code [webserver] transport}
     */
    public ProbeServer(WebSettings web, LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                       Transport transport, Http2Switch http2) {
        this(web, responses, listener, accessLog, transport, new ProbeErrors(ProbeErrors.LOG), http2);
    }

    ProbeServer(WebSettings web, LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                Transport transport, ProbeErrors errors) {
        this(web, responses, listener, accessLog, transport, errors, null);
    }

    ProbeServer(WebSettings web, LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                Transport transport, ProbeErrors errors, Http2Switch http2) {
        this.web = web;
        this.responses = responses;
        this.transport = transport;
        this.errors = errors;
        ProbeSetup setup = new ProbeSetup(responses, listener, accessLog, web.requestTimeout(), web.idleTimeout(),
                errors, transport.acceptDeferral(web.requestTimeout()), rejections).withHttp2(http2);
        this.gate = new ConnectionGate(setup, web.maxConnections());
    }

    /**
     * Binds every host of {@code [webserver] host} on {@code port} and starts answering.
     *
     * @throws BindException naming the address when one cannot be bound; nothing stays bound then
     */
    public synchronized void start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        group = new MultiThreadIoEventLoopGroup(Math.max(1, web.threads()), new DefaultThreadFactory("plight-probe"),
                transport.ioHandlerFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AcceptPacing(ACCEPTS_PER_TURN, LONG_TURN))
                .handler(new AcceptFailures("probe port", ACCEPT_RETRY, ProbeErrors.LOG))
                // TCP_NODELAY is not set here: the Linux transports enable it already (epoll on the listener,
                // whose accepted sockets inherit it; io_uring on each), and again would cost a system call each.
                // Lets a request line followed by end of input still be answered.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ))
                .childHandler(gate);
        transport.clientSpeaksFirst(bootstrap, web.requestTimeout());
        transport.sendBuffer(bootstrap, SEND_BUFFER);
        try {
            listening.addAll(Transport.bindAll(bootstrap, web.hosts(), web.port(), "port"));
        } catch (BindException e) {
            close();
            throw e;
        }
        scheduleTick();
    }

    private void scheduleTick() {
        if (closed) {
            return;
        }
        // Just after the next second begins, so the Date header changes when the second does.
        long delay = 1001 - System.currentTimeMillis() % 1000;
        tick = group.next().schedule(() -> {
            responses.tick();
            scheduleTick();
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** The addresses actually bound, in {@code host} order; with port 0 each has its own ephemeral port. */
    public synchronized List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (Channel ch : listening) {
            addresses.add((InetSocketAddress) ch.localAddress());
        }
        return addresses;
    }

    /** Requests and connections refused so far, by reason. */
    public Rejections rejections() {
        return rejections;
    }

    /** Connections closed so far because of an error other than the network's, per kind. */
    public java.util.Map<String, Long> connectionErrors() {
        return errors.counts();
    }

    /** Probe connections open right now. */
    public int openConnections() {
        return gate.open();
    }

    /** The open probe connections; tests look inside them. */
    java.util.Set<Channel> connections() {
        return gate.channels();
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}, for the start-up log. */
    public String transportName() {
        return transport.configName();
    }

    /**
     * Stops accepting; on every connection, sends the answers already made, then our end of output; waits a
     * moment for clients to close, then closes what is left and stops the event loops. Returns within about
     * a second. Blocks, so it must not be called from one of the server's event loops.
     */
    @Override
    public synchronized void close() {
        if (closed || group == null) {
            closed = true;
            return;
        }
        closed = true;
        ScheduledFuture<?> t = tick;
        if (t != null) {
            t.cancel(false);
        }
        for (Channel ch : listening) {
            ch.close().awaitUninterruptibly();
        }
        List<Channel> open = new ArrayList<>(gate.channels());
        for (Channel ch : open) {
            ch.pipeline().fireUserEventTriggered(STOP);
        }
        // Most clients close their side at our FIN; the event loops' shutdown closes the rest.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        for (Channel ch : open) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        group.shutdownGracefully(0, SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_MILLIS * 2);
    }
}
