package plight.bench;

import java.util.Objects;

/**
 * Statistics written from several threads (AsyncHttpClient calls back on its own event loops and timer): one
 * {@link LoopStats} behind a lock. Fleet rates are thousands of checks per second, where a lock costs nothing
 * measurable. Also notes, for the timeline, when the served state changes.
 */
final class SharedStats {
    private final LoopStats stats;
    private final RunContext rc;
    private String lastState;
    private boolean seenAny;

    SharedStats(RunContext rc, LoopStats stats) {
        this.rc = rc;
        this.stats = stats;
    }

    synchronized void record(long nowNanos, long latencyNanos, int status, String state) {
        stats.record(latencyNanos, status);
        if (stats.timeline != null && (!seenAny || !Objects.equals(state, lastState))) {
            if (seenAny) {
                stats.timeline.mark(nowNanos - rc.measureStart(), state == null ? String.valueOf(status) : state);
            }
            seenAny = true;
            lastState = state;
        }
    }

    synchronized void error(long nowNanos, ErrorKind kind) {
        stats.error(kind);
    }

    /** Read after the run. */
    synchronized LoopStats stats() {
        return stats;
    }
}
