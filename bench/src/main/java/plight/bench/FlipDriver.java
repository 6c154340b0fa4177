package plight.bench;

import java.io.PrintStream;

/**
 * The flip scenario's second actor: a thread that, while the load runs, requests a state change every
 * {@code interval} (after the previous one was acknowledged) and records each in the {@link StaleDetector}.
 * It stops by itself at the end of the run; a change in progress then is let finish.
 */
final class FlipDriver extends Thread {
    private final StateFlipper flipper;
    private final StaleDetector detector;
    private final RunContext rc;
    private final long interval;
    private final PrintStream err;
    private volatile int flips;
    private volatile int failures;
    private final java.util.List<Timeline.Mark> marks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param rc a run of the flip scenario: its detector records the changes, its settings give the interval */
    FlipDriver(StateFlipper flipper, RunContext rc, PrintStream err) {
        super("plight-bench-flip");
        setDaemon(true);
        this.flipper = flipper;
        this.rc = rc;
        this.err = err;
        this.detector = rc.stale;
        this.interval = rc.settings.flipIntervalNanos();
    }

    @Override
    public void run() {
        long next = System.nanoTime() + interval;
        while (true) {
            long end = rc.end();
            long wait = Math.min(next, end) - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            long now = System.nanoTime();
            if (now - end >= 0) {
                return;
            }
            int generation = detector.begin(now);
            try {
                String state = flipper.flip();
                detector.acknowledge(generation, state);
                flips++;
                marks.add(new Timeline.Mark(System.nanoTime() - rc.measureStart(), state));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (failures++ == 0) {
                    err.println("plight-bench: flip failed: " + e.getMessage());
                }
            }
            next = System.nanoTime() + interval;
        }
    }

    int flips() {
        return flips;
    }

    /** Acknowledged changes: when (from the start of the measured window) and to which state. */
    java.util.List<Timeline.Mark> marks() {
        return java.util.List.copyOf(marks);
    }

    int failures() {
        return failures;
    }
}
