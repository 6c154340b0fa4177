package plight.probe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts events and lets a report of them through at most once per {@link #INTERVAL_MILLIS}, the first one at
 * once: a flood costs one log line a minute, not one per event. Thread-safe and lock-free (event loops call it).
 */
final class ReportThrottle {
    static final long INTERVAL_MILLIS = 60_000;

    private final LongSupplier clockMillis;
    private final AtomicLong sinceReport = new AtomicLong();
    /** Clock reading from which the next report may be made; the first one is at once. */
    private final AtomicLong nextReport = new AtomicLong(Long.MIN_VALUE / 2);

    ReportThrottle(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /**
     * One more event.
     *
     * @return how many events the report due now covers (this one included), or 0 when no report is due
     */
    long event() {
        sinceReport.incrementAndGet();
        long now = clockMillis.getAsLong();
        long next = nextReport.get();
        if (now - next < 0 || !nextReport.compareAndSet(next, now + INTERVAL_MILLIS)) {
            return 0;
        }
        return sinceReport.getAndSet(0);
    }
}
