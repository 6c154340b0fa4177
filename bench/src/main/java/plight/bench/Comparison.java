package plight.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * {@code --compare}: the same scenario against A and B in turns (A B A B ...), then each figure's median per
 * target and the ratio A/B.
 *
 * <p>Medians: requests, rps and the latency figures. Errors, stale answers, error kinds and status counts are
 * summed over all rounds instead, so that a problem in a single round is not hidden by the median.
 *
 * <p>JSON: {@code {"scenario", "rounds", "a": {...}, "b": {...}, "ratio": {...}}} where {@code a} and {@code b} have
 * the keys of a single run's object (with the medians and sums above) plus {@code "runs"}, the per-round
 * figures; {@code ratio} has {@code requests, errors, rps, p50_us, p90_us, p99_us, p999_us, max_us, stale} (and
 * {@code cpu_us_per_request} when a pid was given), each A/B, or null when B is 0 (or, for stale, not applicable).
 * CPU per request is the median over the rounds that measured it.
 */
final class Comparison {
    private Comparison() {
    }

    static Result summarize(List<Result> runs) {
        Result first = runs.get(0);
        Map<String, Long> kinds = new LinkedHashMap<>();
        Map<Integer, Long> status = new TreeMap<>();
        Map<String, Long> serving = new LinkedHashMap<>();
        long errors = 0;
        Long stale = first.stale() == null ? null : 0L;
        long checked = 0;
        Integer flips = first.flips() == null ? null : 0;
        int flipErrors = 0;
        org.HdrHistogram.Histogram all = new org.HdrHistogram.Histogram(LoopStats.HIGHEST_US, 3);
        List<Result> withCpu = new ArrayList<>();
        for (Result r : runs) {
            all.add(r.histogram());
            if (r.cpuUsPerRequest() != null) {
                withCpu.add(r);
            }
            r.errorKinds().forEach((k, v) -> kinds.merge(k, v, Long::sum));
            r.statusCounts().forEach((k, v) -> status.merge(k, v, Long::sum));
            r.serving().forEach((k, v) -> serving.merge(k, v, Long::sum));
            errors += r.errors();
            if (stale != null) {
                stale += r.stale();
            }
            checked += r.staleChecked();
            if (flips != null) {
                flips += r.flips();
            }
            flipErrors += r.flipErrors();
        }
        return new Result(first.scenario(), first.url(), first.connections(), first.threads(), first.transport(),
                first.durationNanos(), first.warmupNanos(),
                Math.round(median(runs, r -> r.requests())), errors, kinds, median(runs, Result::rps),
                Math.round(median(runs, r -> r.p50Us())), Math.round(median(runs, r -> r.p90Us())),
                Math.round(median(runs, r -> r.p99Us())), Math.round(median(runs, r -> r.p999Us())),
                Math.round(median(runs, r -> r.maxUs())), stale, checked, status, flips, flipErrors,
                withCpu.isEmpty() ? null : median(withCpu, Result::cpuUsPerRequest), all, null, serving);
    }

    static double median(List<Result> runs, ToDoubleFunction<Result> figure) {
        double[] v = runs.stream().mapToDouble(figure).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    /** The figures compared, in table order: label, JSON key, accessor. */
    record Figure(String label, String key, ToDoubleFunction<Result> value) {
    }

    static List<Figure> figures(boolean withStale, boolean withCpu) {
        List<Figure> f = new ArrayList<>(Arrays.asList(
                new Figure("requests/s", "rps", Result::rps),
                new Figure("requests", "requests", r -> r.requests()),
                new Figure("p50 us", "p50_us", r -> r.p50Us()),
                new Figure("p90 us", "p90_us", r -> r.p90Us()),
                new Figure("p99 us", "p99_us", r -> r.p99Us()),
                new Figure("p99.9 us", "p999_us", r -> r.p999Us()),
                new Figure("max us", "max_us", r -> r.maxUs()),
                new Figure("errors (sum)", "errors", r -> r.errors())));
        if (withStale) {
            f.add(new Figure("stale (sum)", "stale", r -> r.stale()));
        }
        if (withCpu) {
            f.add(new Figure("CPU us/req", "cpu_us_per_request",
                    r -> r.cpuUsPerRequest() == null ? Double.NaN : r.cpuUsPerRequest()));
        }
        return f;
    }

    static String toJson(int rounds, List<Result> runsA, List<Result> runsB) {
        Result a = summarize(runsA);
        Result b = summarize(runsB);
        Json ratio = new Json();
        boolean cpu = a.cpuUsPerRequest() != null || b.cpuUsPerRequest() != null;
        for (Figure f : figures(true, cpu)) {
            if (f.key().equals("stale") && a.stale() == null) {
                ratio.fieldNull("stale");
            } else {
                ratio.field(f.key(), ratio(f.value().applyAsDouble(a), f.value().applyAsDouble(b)));
            }
        }
        return new Json()
                .field("scenario", a.scenario().id())
                .field("rounds", rounds)
                .raw("a", withRuns(a, runsA))
                .raw("b", withRuns(b, runsB))
                .raw("ratio", ratio.toString())
                .toString();
    }

    private static String withRuns(Result summary, List<Result> runs) {
        List<String> items = new ArrayList<>();
        for (Result r : runs) {
            items.add(new Json().field("requests", r.requests()).field("errors", r.errors()).field("rps", r.rps())
                    .field("p50_us", r.p50Us()).field("p90_us", r.p90Us()).field("p99_us", r.p99Us())
                    .field("p999_us", r.p999Us()).field("max_us", r.maxUs()).field("stale", r.stale())
                    .field("cpu_us_per_request", r.cpuUsPerRequest() == null ? Double.NaN : r.cpuUsPerRequest())
                    .toString());
        }
        return summary.toJson().raw("runs", Json.array(items)).toString();
    }
}
