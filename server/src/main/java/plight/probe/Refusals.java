package plight.probe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import plight.log.Log;

/**
 * Connections or calls refused for a limit, reported at most once per {@link #INTERVAL_MILLIS} with how many
 * since the last report: a client that fills a limit costs one log line a minute, not one per refusal.
 */
public final class Refusals {
    static final long INTERVAL_MILLIS = 60_000;

    private final String what;
    private final LongSupplier clockMillis;
    private final Consumer<String> sink;
    private final AtomicLong sinceReport = new AtomicLong();
    /** Clock reading from which the next report may be made; the first one is at once. */
    private final AtomicLong nextReport = new AtomicLong(Long.MIN_VALUE / 2);

    /** @param what the refusal, completing "refused N ...": e.g. "connections over max_connections = 100" */
    public Refusals(String what) {
        this(what, System::currentTimeMillis, line -> Log.warn(line));
    }

    Refusals(String what, LongSupplier clockMillis, Consumer<String> sink) {
        this.what = what;
        this.clockMillis = clockMillis;
        this.sink = sink;
    }

    /** One more refusal. Called on an event loop; never blocks. */
    public void refused() {
        sinceReport.incrementAndGet();
        long now = clockMillis.getAsLong();
        long next = nextReport.get();
        if (now - next < 0 || !nextReport.compareAndSet(next, now + INTERVAL_MILLIS)) {
            return;
        }
        long count = sinceReport.getAndSet(0);
        sink.accept("probe port: refused " + count + " " + what + "; this is reported at most once a minute");
    }
}
