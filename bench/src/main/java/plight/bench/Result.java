package plight.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run (or, for {@code --compare}, the medians of several: see {@link Comparison}).
 *
 * @param requests     answered requests sent in the measured window (any status code)
 * @param errors       requests that got no answer: sum of {@code errorKinds}
 * @param rps          requests per second of the measured window
 * @param stale        flip only: answers showing a state older than the last acknowledged change;
 *                     {@code null} for other scenarios
 * @param staleChecked flip only: answers that could be judged (see {@link StaleDetector})
 * @param flips        flip only: acknowledged state changes; {@code null} for other scenarios
 * @param flipErrors   flip only: state changes that failed
 * @param serving      grpc only: answers with grpc-status 0 by HealthCheckResponse status (SERVING, ...);
 *                     empty for other scenarios. For grpc, {@code statusCounts} counts grpc-status codes.
 */
record Result(Scenario scenario, String url, int connections, int threads, String transport,
              long durationNanos, long warmupNanos, long requests, long errors, Map<String, Long> errorKinds,
              double rps, long p50Us, long p90Us, long p99Us, long p999Us, long maxUs,
              Long stale, long staleChecked, Map<Integer, Long> statusCounts, Integer flips, int flipErrors,
              Double cpuUsPerRequest, Histogram histogram, Timeline timeline, Map<String, Long> serving) {

    /**
     * @param cpuMicros CPU time the target process used in the measured window, or {@code null} when its pid
     *                  is not known
     */
    static Result of(Settings s, Target target, String transport, Iterable<LoopStats> loops,
                     Integer flips, int flipErrors, Long cpuMicros, java.util.List<Timeline.Mark> flipMarks) {
        Histogram h = new Histogram(LoopStats.HIGHEST_US, 3);
        Timeline timeline = null;
        long[] errs = new long[ErrorKind.values().length];
        long[] codes = new long[600];
        long[] health = new long[GrpcHealth.STATUS_NAMES.length];
        long stale = 0;
        long checked = 0;
        for (LoopStats l : loops) {
            h.add(l.latencyUs);
            if (l.timeline != null) {
                timeline = timeline == null ? new Timeline(s.durationNanos()) : timeline;
                timeline.add(l.timeline);
            }
            for (int i = 0; i < errs.length; i++) {
                errs[i] += l.errors[i];
            }
            for (int i = 0; i < codes.length; i++) {
                codes[i] += l.statusCounts[i];
            }
            for (int i = 0; i < health.length; i++) {
                health[i] += l.serving[i];
            }
            stale += l.stale;
            checked += l.staleChecked;
        }
        Map<String, Long> kinds = new java.util.LinkedHashMap<>();
        long errors = 0;
        for (ErrorKind k : ErrorKind.values()) {
            kinds.put(k.id(), errs[k.ordinal()]);
            errors += errs[k.ordinal()];
        }
        Map<Integer, Long> status = new TreeMap<>();
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] > 0) {
                status.put(i, codes[i]);
            }
        }
        Map<String, Long> serving = new java.util.LinkedHashMap<>();
        if (s.scenario() == Scenario.GRPC) {
            for (int i = 0; i < health.length; i++) {
                if (health[i] > 0) {
                    serving.put(GrpcHealth.STATUS_NAMES[i], health[i]);
                }
            }
        }
        long requests = h.getTotalCount();
        if (timeline != null) {
            for (Timeline.Mark m : flipMarks) {
                timeline.mark(m.offsetNanos(), m.label());
            }
        }
        Double cpu = cpuMicros == null || requests == 0 ? null : (double) cpuMicros / requests;
        boolean flip = s.scenario() == Scenario.FLIP;
        boolean any = requests > 0;
        return new Result(s.scenario(), target.url, s.connections(), s.threads(), transport,
                s.durationNanos(), s.warmupNanos(), requests, errors, kinds,
                requests / (s.durationNanos() / 1e9),
                any ? h.getValueAtPercentile(50) : 0, any ? h.getValueAtPercentile(90) : 0,
                any ? h.getValueAtPercentile(99) : 0, any ? h.getValueAtPercentile(99.9) : 0,
                any ? h.getMaxValue() : 0,
                flip ? Long.valueOf(stale) : null, checked, status, flip ? flips : null, flipErrors, cpu, h,
                timeline, serving);
    }

    /** The JSON object of {@code --json}: the documented keys first, then details. */
    Json toJson() {
        Json j = new Json()
                .field("scenario", scenario.id())
                .field("requests", requests)
                .field("errors", errors)
                .field("rps", rps)
                .field("p50_us", p50Us)
                .field("p90_us", p90Us)
                .field("p99_us", p99Us)
                .field("p999_us", p999Us)
                .field("max_us", maxUs)
                .field("stale", stale);
        if (cpuUsPerRequest != null) {
            j.field("cpu_us_per_request", cpuUsPerRequest.doubleValue());
        }
        j.field("url", url)
                .field("connections", connections)
                .field("threads", threads)
                .field("transport", transport)
                .field("duration_s", durationNanos / 1e9)
                .field("warmup_s", warmupNanos / 1e9);
        Json kinds = new Json();
        errorKinds.forEach(kinds::field);
        j.raw("error_kinds", kinds.toString());
        Json codes = new Json();
        statusCounts.forEach((code, n) -> codes.field(String.valueOf(code), n));
        j.raw("status", codes.toString());
        if (scenario == Scenario.GRPC) {
            Json health = new Json();
            serving.forEach(health::field);
            j.raw("serving", health.toString());
        }
        if (scenario == Scenario.FLIP) {
            j.field("stale_checked", staleChecked).field("flips", flips == null ? 0 : flips)
                    .field("flip_errors", flipErrors);
        }
        return j;
    }
}
