package plight.bench;

import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The close scenario: {@code connections} {@link ProbeWorker}s spread over the event loops. */
final class ProbeLoad {
    private final RunContext rc;
    private final CountDownLatch running;
    private final ProbeWorker[] workers;
    private final EventLoop[] loops;

    ProbeLoad(RunContext rc) {
        this.rc = rc;
        int n = rc.settings.connections();
        this.running = new CountDownLatch(n);
        byte[] request = rc.target.request(true);
        workers = new ProbeWorker[n];
        loops = new EventLoop[n];
        for (int i = 0; i < n; i++) {
            loops[i] = (EventLoop) rc.group.next();
            workers[i] = new ProbeWorker(rc, this, loops[i], request);
        }
    }

    void start() {
        rc.start();
        for (int i = 0; i < workers.length; i++) {
            loops[i].execute(workers[i]::start);
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
