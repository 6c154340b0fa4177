package plight.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.asynchttpclient.AsyncCompletionHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Request;
import org.asynchttpclient.Response;

/**
 * The fleet scenario: {@code connections} simulated load balancers, each a health checker on AsyncHttpClient
 * with its own connection policy (the first {@code reuse} share keep their connection, as Envoy does; the others
 * open one per check, as HAProxy, F5 and Kubernetes do), interval and jitter. Each checks on its own schedule,
 * spread evenly over one interval as unsynchronised load balancers would be, one check at a time: a check due
 * while the previous one is still out starts when that one ends. Latency counts from the scheduled time, so a
 * slow server cannot hide its delays by delaying the next checks (no coordinated omission).
 *
 * <p>Each balancer that reuses its connection has a pool partition of its own, so no two share a connection.
 */
final class FleetLoad implements AutoCloseable {
    private final RunContext rc;
    private final SharedStats stats;
    private final AsyncHttpClient reusing;
    private final AsyncHttpClient closing;
    private final ScheduledExecutorService clock;
    private final Balancer[] balancers;
    private final CountDownLatch running;

    FleetLoad(RunContext rc, SharedStats stats) {
        this.rc = rc;
        this.stats = stats;
        Settings s = rc.settings;
        int n = s.connections();
        int reusers = (int) Math.round(n * s.reuseShare());
        reusing = reusers > 0 ? Ahc.client(true, s.threads(), s.transport(), s.timeoutNanos()) : null;
        closing = reusers < n ? Ahc.client(false, s.threads(), s.transport(), s.timeoutNanos()) : null;
        clock = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("plight-bench-fleet", true));
        long interval = Math.max(1L, Math.round(1e9 / s.rate()));
        balancers = new Balancer[n];
        running = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            // reusers spread over the fleet, not bunched at its start: i * reusers / n steps up reusers times
            boolean reuse = (long) (i + 1) * reusers / n > (long) i * reusers / n;
            balancers[i] = new Balancer(i, reuse, interval, new Random(i));
        }
    }

    void start() {
        rc.start();
        long t0 = rc.loadStart();
        int n = balancers.length;
        for (int i = 0; i < n; i++) {
            Balancer b = balancers[i];
            b.scheduled = t0 + (long) ((double) b.interval * i / n);
            b.next();
        }
    }

    /** Waits until every balancer has stopped by itself after the end, or the timeout after the end. */
    void awaitDrained() throws InterruptedException {
        long wait = rc.end() + rc.timeoutNanos + 100_000_000L - System.nanoTime();
        if (wait > 0) {
            running.await(wait, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
        for (AsyncHttpClient c : new AsyncHttpClient[] {reusing, closing}) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    // the run is over; nothing left to measure
                }
            }
        }
    }

    /** One simulated load balancer. */
    private final class Balancer extends AsyncCompletionHandler<Void> {
        final long interval;
        private final AsyncHttpClient client;
        private final Request request;
        private final Random random;
        private final double jitter;
        private long scheduled;
        private boolean done;

        Balancer(int id, boolean reuse, long interval, Random random) {
            this.interval = interval;
            this.client = reuse ? reusing : closing;
            this.random = random;
            this.jitter = rc.settings.jitter();
            Object partition = "lb-" + id;
            this.request = client.prepareGet(rc.target.url)
                    .setChannelPoolPartitioning((uri, virtualHost, proxy) -> partition)
                    .build();
        }

        /** Waits for the scheduled time of the next check, or stops at the end of the run. */
        void next() {
            if (!rc.open(scheduled)) {
                if (!done) {
                    done = true;
                    running.countDown();
                }
                return;
            }
            long delay = scheduled - System.nanoTime();
            try {
                clock.schedule(this::check, Math.max(0, delay), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.countDown(); // shut down
            }
        }

        private void check() {
            if (rc.shuttingDown()) {
                running.countDown();
                return;
            }
            client.executeRequest(request, this);
        }

        @Override
        public Void onCompleted(Response response) {
            long now = System.nanoTime();
            if (rc.inWindow(scheduled)) {
                stats.record(now, now - scheduled, response.getStatusCode(), response.getHeader("X-Plight-State"));
            }
            advance();
            return null;
        }

        @Override
        public void onThrowable(Throwable t) {
            if (rc.inWindow(scheduled) && !rc.shuttingDown()) {
                stats.error(System.nanoTime(), kind(t));
            }
            advance();
        }

        private void advance() {
            double spread = jitter == 0 ? 0 : (random.nextDouble() * 2 - 1) * jitter;
            scheduled += Math.max(1L, Math.round(interval * (1 + spread)));
            next();
        }
    }

    private static ErrorKind kind(Throwable t) {
        if (t instanceof ConnectException) {
            return ErrorKind.CONNECT;
        }
        if (t instanceof TimeoutException) {
            return ErrorKind.TIMEOUT;
        }
        if (t instanceof IOException && String.valueOf(t.getMessage()).toLowerCase().contains("closed")) {
            return ErrorKind.CLOSED;
        }
        return t instanceof IOException ? ErrorKind.RESET : ErrorKind.PARSE;
    }
}
