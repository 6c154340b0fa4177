package plight.bench;

import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The close and fleet scenarios: {@code connections} {@link ProbeWorker}s spread over the event loops. For the
 * fleet, the simulated load balancers' schedules are spread evenly over one check interval, as unsynchronized
 * load balancers would be.
 */
final class ProbeLoad {
    private final RunContext rc;
    private final CountDownLatch running;
    private final ProbeWorker[] workers;
    private final EventLoop[] loops;
    private final long interval;

    ProbeLoad(RunContext rc) {
        this.rc = rc;
        int n = rc.settings.connections();
        this.running = new CountDownLatch(n);
        this.interval = 0L;
        byte[] request = rc.target.request(true);
        workers = new ProbeWorker[n];
        loops = new EventLoop[n];
        for (int i = 0; i < n; i++) {
            loops[i] = (EventLoop) rc.group.next();
            workers[i] = new ProbeWorker(rc, this, loops[i], request, interval);
        }
    }

    void start() {
        rc.start();
        long t0 = rc.loadStart();
        int n = workers.length;
        for (int i = 0; i < n; i++) {
            ProbeWorker w = workers[i];
            long first = t0 + (long) ((double) interval * i / n);
            loops[i].execute(() -> w.start(first));
        }
    }

    /** Waits until every worker has stopped by itself after the end, or the timeout after the end. */
    void awaitDrained() throws InterruptedException {
        long wait = rc.end() + rc.timeoutNanos + 100_000_000L - System.nanoTime();
        if (wait > 0) {
            running.await(wait, TimeUnit.NANOSECONDS);
        }
    }

    void workerDone() {
        running.countDown();
    }
}
