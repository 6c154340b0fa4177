package plight.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Shared state of one run against one target: where to connect, the measurement window, per-loop statistics
 * and every open channel.
 *
 * <p>Timeline: connections may be set up first; then {@link #start} fixes the window — load starts at once,
 * the first {@code warmup} is not recorded, recording covers {@code [measureStart, end)} by the time each
 * request was sent (or scheduled); no request is started at or after {@code end}; requests in flight at
 * {@code end} are still waited for (up to the timeout) and recorded.
 */
final class RunContext {
    final Settings settings;
    final Target target;
    final InetSocketAddress address;
    final EventLoopGroup group;
    final Transport transport;
    /** Checks every answer against the acknowledged changes in the flip scenario; {@code null} in the others. */
    final StaleDetector stale;
    final long timeoutNanos;
    final ChannelGroup channels = new DefaultChannelGroup("plight-bench", GlobalEventExecutor.INSTANCE);

    private final Map<EventExecutor, LoopStats> stats = new IdentityHashMap<>();
    /** For load on AsyncHttpClient's threads (fleet). */
    final SharedStats shared;

    /** Published whole, so that a reader never sees the window half fixed. */
    private volatile Window window = Window.UNSTARTED;
    private volatile boolean shuttingDown;

    /**
     * Resolves the target and starts the event loops: {@code settings.threads()} of them, on the transport
     * {@code settings.transport()} asks for. Whoever makes one shuts its {@link #group} down.
     */
    RunContext(Settings settings, Target target) throws UnknownHostException {
        this.settings = settings;
        this.target = target;
        this.address = target.resolve(); // before the loops start: nothing to shut down when the name is unknown
        this.transport = Transport.select(settings.transport());
        this.group = new MultiThreadIoEventLoopGroup(settings.threads(),
                new DefaultThreadFactory("plight-bench-io", true), transport.ioHandlerFactory());
        this.stale = settings.scenario() == Scenario.FLIP ? new StaleDetector() : null;
        this.timeoutNanos = settings.timeoutNanos();
        boolean timeline = settings.plot() != null
                && (settings.scenario() == Scenario.FLIP || settings.scenario() == Scenario.FLEET);
        for (EventExecutor e : group) {
            stats.put(e, new LoopStats(this, timeline));
        }
        shared = new SharedStats(this, new LoopStats(this, timeline));
    }

    /** Fixes the window from now: warmup, then the measured duration. */
    void start() {
        long now = System.nanoTime();
        long measureStart = now + settings.warmupNanos();
        window = new Window(now, measureStart, measureStart + settings.durationNanos());
    }

    boolean started() {
        return window != Window.UNSTARTED;
    }

    long loadStart() {
        return window.loadStart();
    }

    long measureStart() {
        return window.measureStart();
    }

    long end() {
        return window.end();
    }

    boolean inWindow(long nanos) {
        Window w = window;
        return w != Window.UNSTARTED && nanos - w.measureStart() >= 0 && nanos - w.end() < 0;
    }

    /** Whether new requests may still be started at {@code nanos}. */
    boolean open(long nanos) {
        Window w = window;
        return !shuttingDown && (w == Window.UNSTARTED || nanos - w.end() < 0);
    }

    void shutDown() {
        shuttingDown = true;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    LoopStats stats(EventExecutor loop) {
        return stats.get(loop);
    }

    /** Every loop's statistics and the shared ones. */
    java.util.List<LoopStats> allStats() {
        java.util.List<LoopStats> all = new java.util.ArrayList<>(stats.values());
        all.add(shared.stats());
        return all;
    }

    /** A bootstrap for connections handled by {@code loop}, with {@code handler} on each new channel. */
    Bootstrap bootstrap(EventLoop loop, ChannelHandler handler) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        timeoutNanos / 1_000_000)))
                .remoteAddress(address)
                .handler(handler);
    }

    /** The run's timeline in {@link System#nanoTime} terms: load from {@code loadStart}, recorded in {@code [measureStart, end)}. */
    private record Window(long loadStart, long measureStart, long end) {
        /** Before {@link #start}: nothing is recorded yet and nothing has ended. */
        static final Window UNSTARTED = new Window(0, Long.MAX_VALUE, Long.MAX_VALUE);
    }
}
