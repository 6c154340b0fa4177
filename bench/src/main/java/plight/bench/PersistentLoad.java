package plight.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The keepalive, pipeline and flip scenarios: {@code connections} persistent connections spread over the event
 * loops, opened before the clock starts, each a {@link KeepAliveConnection}.
 */
final class PersistentLoad {
    private static final long RECONNECT_DELAY_NANOS = 50_000_000L;

    private final RunContext rc;
    private final byte[] request;
    private final int depth;
    private final Map<EventExecutor, Bootstrap> bootstraps = new IdentityHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    PersistentLoad(RunContext rc, int depth) {
        this.rc = rc;
        this.depth = depth;
        this.request = rc.target.request(false);
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                rc.channels.add(ch);
                ch.pipeline().addLast(new KeepAliveConnection(rc, PersistentLoad.this, request, depth));
            }
        };
        for (EventExecutor e : rc.group) {
            bootstraps.put(e, rc.bootstrap((EventLoop) e, init));
        }
    }

    /**
     * Opens the connections (waiting up to the timeout for them), starts the clock and the load.
     *
     * @return how many connections were open when the load started
     */
    int start() throws InterruptedException {
        int n = rc.settings.connections();
        for (int i = 0; i < n; i++) {
            connect(rc.group.next());
        }
        long deadline = System.nanoTime() + rc.timeoutNanos;
        while (active.get() < n && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        int open = active.get();
        rc.start();
        for (Channel ch : rc.channels) {
            KeepAliveConnection c = ch.pipeline().get(KeepAliveConnection.class);
            if (c != null) {
                ch.eventLoop().execute(c::start);
            }
        }
        return open;
    }

    /** Waits until every connection has closed itself after the end, or the timeout after the end. */
    void awaitDrained() throws InterruptedException {
        long deadline = rc.end() + rc.timeoutNanos + 100_000_000L;
        while (active.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
    }

    void connected() {
        active.incrementAndGet();
    }

    void disconnected() {
        active.decrementAndGet();
    }

    /** Replaces a lost connection, on the same event loop, while the run lasts. */
    void reconnect(EventLoop loop) {
        if (rc.open(System.nanoTime())) {
            connect(loop);
        }
    }

    private void connect(EventExecutor loop) {
        ChannelFuture f = bootstraps.get(loop).connect();
        f.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                long now = System.nanoTime();
                if (rc.inWindow(now)) {
                    rc.stats(loop).error(ErrorKind.CONNECT);
                }
                if (rc.open(now)) {
                    loop.schedule(() -> reconnect((EventLoop) loop), RECONNECT_DELAY_NANOS, TimeUnit.NANOSECONDS);
                }
            }
        });
    }
}
