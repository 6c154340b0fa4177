package plight.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Answers per second of the measured window (counted by when they arrived) with their latencies, and the state
 * changes seen, for the timeline plot. Kept only when a plot is asked for. Not thread-safe: one per event loop
 * (or behind {@link SharedStats}'s lock), merged after the run.
 */
final class Timeline {
    /** A state change at {@code offsetNanos} from the start of the measured window. */
    record Mark(long offsetNanos, String label) {
    }

    private final List<Histogram> seconds = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private final int last;

    /**
     * @param durationNanos the measured window: answers arriving after it (to requests sent within it) count
     *                      in its last second, which is not left looking like a drop to zero
     */
    Timeline(long durationNanos) {
        this.last = (int) Math.max(0, (durationNanos - 1) / 1_000_000_000L);
    }

    /** @param offsetNanos time of the answer since the start of the measured window */
    void record(long offsetNanos, long latencyUs) {
        if (offsetNanos < 0) {
            return;
        }
        int second = (int) Math.min(last, offsetNanos / 1_000_000_000L);
        while (seconds.size() <= second) {
            // 2 significant digits: ±1 % is plenty for a per-second p99, at a tenth of the memory
            seconds.add(new Histogram(LoopStats.HIGHEST_US, 2));
        }
        seconds.get(second).recordValue(latencyUs);
    }

    void mark(long offsetNanos, String label) {
        marks.add(new Mark(offsetNanos, label));
    }

    /** Adds {@code other}'s seconds and marks to this one. */
    void add(Timeline other) {
        for (int i = 0; i < other.seconds.size(); i++) {
            while (seconds.size() <= i) {
                seconds.add(new Histogram(LoopStats.HIGHEST_US, 2));
            }
            seconds.get(i).add(other.seconds.get(i));
        }
        marks.addAll(other.marks);
        marks.sort((a, b) -> Long.compare(a.offsetNanos(), b.offsetNanos()));
    }

    /** Answers in each second (trailing partial seconds included). */
    List<Histogram> seconds() {
        return seconds;
    }

    List<Mark> marks() {
        return marks;
    }
}
