package plight.bench;

import org.HdrHistogram.Histogram;

/**
 * What one event-loop thread measured. Written only by that thread, read after the loops have stopped, so
 * recording needs no synchronization.
 */
final class LoopStats {
    /** Latencies above this (one hour, in microseconds) are recorded as this. */
    static final long HIGHEST_US = 3_600_000_000L;

    final Histogram latencyUs = new Histogram(HIGHEST_US, 3);
    final long[] statusCounts = new long[600];
    final long[] errors = new long[ErrorKind.values().length];
    /** grpc: answers with grpc-status 0 by HealthCheckResponse status ({@link GrpcHealth#STATUS_NAMES}). */
    final long[] serving = new long[GrpcHealth.STATUS_NAMES.length];
    long stale;
    long staleChecked;
    /** Per-second figures for the timeline plot; {@code null} unless asked for. */
    final Timeline timeline;
    private final RunContext rc;

    LoopStats() {
        this(null, false);
    }

    /** @param timeline whether to keep per-second figures (counted from {@code rc}'s measured window) */
    LoopStats(RunContext rc, boolean timeline) {
        this.rc = rc;
        this.timeline = timeline ? new Timeline(rc.settings.durationNanos()) : null;
    }

    void record(long latencyNanos, int status) {
        long us = latencyNanos / 1000;
        us = us < 0 ? 0 : Math.min(us, HIGHEST_US);
        latencyUs.recordValue(us);
        statusCounts[status]++;
        if (timeline != null) {
            timeline.record(System.nanoTime() - rc.measureStart(), us);
        }
    }

    void error(ErrorKind kind) {
        errors[kind.ordinal()]++;
    }

    void error(ErrorKind kind, int count) {
        errors[kind.ordinal()] += count;
    }
}
