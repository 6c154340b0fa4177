package plight.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
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
    final StaleDetector stale;
    final long timeoutNanos;
    final ChannelGroup channels = new DefaultChannelGroup("plight-bench", GlobalEventExecutor.INSTANCE);

    private final Map<EventExecutor, LoopStats> stats = new IdentityHashMap<>();
    /** For load on AsyncHttpClient's threads (fleet). */
    final SharedStats shared;

    private volatile long loadStart;
    private volatile long measureStart = Long.MAX_VALUE;
    private volatile long end = Long.MAX_VALUE;
    private volatile boolean started;
    private volatile boolean shuttingDown;

    RunContext(Settings settings, Target target, InetSocketAddress address, EventLoopGroup group,
               Transport transport, StaleDetector stale) {
        this.settings = settings;
        this.target = target;
        this.address = address;
        this.group = group;
        this.transport = transport;
        this.stale = stale;
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
        loadStart = now;
        measureStart = now + settings.warmupNanos();
        end = measureStart + settings.durationNanos();
        started = true;
    }

    boolean started() {
        return started;
    }

    long loadStart() {
        return loadStart;
    }

    long measureStart() {
        return measureStart;
    }

    long end() {
        return end;
    }

    boolean inWindow(long nanos) {
        return started && nanos - measureStart >= 0 && nanos - end < 0;
    }

    /** Whether new requests may still be started at {@code nanos}. */
    boolean open(long nanos) {
        return !shuttingDown && (!started || nanos - end < 0);
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
}
