package plight.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The h2 and grpc scenarios: {@code connections} lanes spread over the event loops, each one {@link H2Connection}
 * at a time. Persistent (default): each connection keeps {@code pipeline} streams in flight and is opened
 * before the clock starts; a lost one is replaced. New connection per check: each lane connects, makes one
 * request, closes and connects again at once; latency counts from the start of the connect.
 */
final class H2Load {
    /** After a failed connect, wait this long instead of spinning. */
    private static final long CONNECT_BACKOFF_NANOS = 10_000_000L;

    private final RunContext rc;
    private final H2Call call;
    private final boolean perCheck;
    private final Lane[] lanes;
    private final CountDownLatch running;
    private final AtomicInteger active = new AtomicInteger();

    H2Load(RunContext rc) {
        this.rc = rc;
        this.call = H2Call.of(rc.settings, rc.target);
        this.perCheck = rc.settings.newConnection();
        int n = rc.settings.connections();
        running = new CountDownLatch(n);
        lanes = new Lane[n];
        for (int i = 0; i < n; i++) {
            lanes[i] = new Lane((EventLoop) rc.group.next());
        }
    }

    /**
     * Persistent: opens the connections (waiting up to the timeout for them), then starts the clock and the
     * load. New connection per check: starts the clock, then the lanes.
     *
     * @return how many connections were open when the load started (persistent), or the lanes (per check)
     */
    int start() throws InterruptedException {
        if (perCheck) {
            rc.start();
            for (Lane lane : lanes) {
                lane.loop.execute(lane::connect);
            }
            return lanes.length;
        }
        for (Lane lane : lanes) {
            lane.loop.execute(lane::connect);
        }
        long deadline = System.nanoTime() + rc.timeoutNanos;
        while (active.get() < lanes.length && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        int open = active.get();
        rc.start();
        for (Lane lane : lanes) {
            lane.loop.execute(lane::start);
        }
        return open;
    }

    /** Waits until every lane has stopped by itself after the end, or the timeout after the end. */
    void awaitDrained() throws InterruptedException {
        long wait = rc.end() + rc.timeoutNanos + 100_000_000L - System.nanoTime();
        if (wait > 0) {
            running.await(wait, TimeUnit.NANOSECONDS);
        }
    }

    /** One connection after another on one event loop; its methods run on that loop. */
    private final class Lane extends ChannelInitializer<Channel> implements H2Connection.Lane {
        final EventLoop loop;
        private final Bootstrap bootstrap;
        private final LoopStats stats;
        private H2Connection current;
        private long connectStart;
        private boolean done;

        Lane(EventLoop loop) {
            this.loop = loop;
            this.stats = rc.stats(loop);
            this.bootstrap = rc.bootstrap(loop, this);
        }

        @Override
        protected void initChannel(Channel ch) {
            rc.channels.add(ch);
            current = H2Connection.create(this, call, perCheck ? 1 : rc.settings.pipeline(), perCheck ? 1 : 0,
                    perCheck ? connectStart : 0, rc.timeoutNanos);
            ch.pipeline().addLast(current);
        }

        void connect() {
            long t = System.nanoTime();
            if (!rc.open(t)) {
                stop();
                return;
            }
            connectStart = t;
            ChannelFuture f = bootstrap.connect();
            f.addListener((ChannelFuture cf) -> {
                if (cf.isSuccess()) {
                    active.incrementAndGet();
                    return;
                }
                if (rc.inWindow(connectStart)) {
                    stats.error(ErrorKind.CONNECT);
                }
                loop.schedule(this::connect, CONNECT_BACKOFF_NANOS, TimeUnit.NANOSECONDS);
            });
        }

        void start() {
            if (current != null) {
                current.start();
            }
        }

        private void stop() {
            if (!done) {
                done = true;
                running.countDown();
            }
        }

        @Override
        public boolean started() {
            return rc.started();
        }

        @Override
        public boolean open(long nanos) {
            return rc.open(nanos);
        }

        @Override
        public void answered(long originNanos, long nowNanos, int code, int health, CharSequence state) {
            if (rc.inWindow(originNanos)) {
                stats.record(nowNanos - originNanos, code);
                if (health >= 0) {
                    stats.serving[health]++;
                }
            }
        }

        @Override
        public void lost(long originNanos, ErrorKind kind) {
            if (rc.inWindow(originNanos) && !rc.shuttingDown()) {
                stats.error(kind);
            }
        }

        @Override
        public void ended(H2Connection connection, boolean failed) {
            active.decrementAndGet();
            if (connection == current) {
                current = null;
            }
            if (rc.shuttingDown()) {
                stop();
            } else if (failed && perCheck) {
                loop.schedule(this::connect, CONNECT_BACKOFF_NANOS, TimeUnit.NANOSECONDS);
            } else {
                connect();
            }
        }
    }
}
