package plight.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Which repeats of a problem are worth a log line: the first of each kind, then at most one per interval, so
 * that a problem that lasts (checked every second) neither floods the log nor goes quiet. Not thread-safe: its
 * owner calls it under its own lock.
 */
final class Reports {
    private final Duration interval;
    private final Map<String, Instant> lastReported = new HashMap<>();

    Reports(Duration interval) {
        this.interval = interval;
    }

    /** Whether {@code kind} should be logged at {@code now}; if so, the interval starts again from {@code now}. */
    boolean due(String kind, Instant now) {
        Instant last = lastReported.get(kind);
        if (last != null && now.isBefore(last.plus(interval))) return false;
        lastReported.put(kind, now);
        return true;
    }

    /** The problems are over: the next one is reported at once. */
    void clear() {
        lastReported.clear();
    }
}
