package plight.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import plight.config.Durations;

/** The human-readable tables. */
final class Report {
    private Report() {
    }

    static String header(Settings s, Target target, String transport) {
        return s.scenario().id() + "  " + target + "  " + load(s) + ", " + s.threads() + " thread"
                + (s.threads() == 1 ? "" : "s") + " (" + transport + "), " + Durations.format(Duration.ofNanos(s.durationNanos()))
                + " measured after " + Durations.format(Duration.ofNanos(s.warmupNanos())) + " warmup";
    }

    private static String load(Settings s) {
        return switch (s.scenario()) {
            case KEEPALIVE, FLIP -> s.connections() + " connections";
            case PIPELINE -> s.connections() + " connections x " + s.pipeline() + " in flight";
            case CLOSE -> s.connections() + " concurrent probers, new connection each";
            case FLEET -> s.connections() + " load balancers x " + fmt(s.rate()) + " checks/s";
            case H2, GRPC -> s.newConnection() ? s.connections() + " concurrent probers, new h2c connection each"
                    : s.connections() + " h2c connections x " + s.pipeline() + " streams in flight";
        };
    }

    static void printResult(PrintStream out, Settings s, Result r) {
        out.println(header(s, Target.parse(r.url()), r.transport()));
        out.println();
        boolean flip = r.stale() != null;
        String h = String.format(Locale.ROOT, "%12s %12s %9s %9s %9s %9s %9s %8s", "requests/s", "requests",
                "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "errors");
        String v = String.format(Locale.ROOT, "%12.1f %12d %9d %9d %9d %9d %9d %8d", r.rps(), r.requests(),
                r.p50Us(), r.p90Us(), r.p99Us(), r.p999Us(), r.maxUs(), r.errors());
        if (flip) {
            h += String.format(Locale.ROOT, " %8s", "stale");
            v += String.format(Locale.ROOT, " %8d", r.stale());
        }
        out.println(h);
        out.println(v);
        out.println();
        details(out, r);
    }

    private static void details(PrintStream out, Result r) {
        if (r.cpuUsPerRequest() != null) {
            out.println(String.format(Locale.ROOT, "target CPU: %.2f us per request", r.cpuUsPerRequest()));
        }
        out.println((r.scenario() == Scenario.GRPC ? "grpc-status: " : "status codes: ")
                + (r.statusCounts().isEmpty() ? "none"
                : r.statusCounts().entrySet().stream().map(e -> e.getKey() + " x " + e.getValue())
                .collect(Collectors.joining(", "))));
        if (r.scenario() == Scenario.GRPC) {
            out.println("serving (grpc-status 0): " + (r.serving().isEmpty() ? "none" : r.serving().entrySet().stream()
                    .map(e -> e.getKey() + " x " + e.getValue()).collect(Collectors.joining(", "))));
        }
        out.println("errors: " + (r.errors() == 0 ? "none" : r.errorKinds().entrySet().stream()
                .filter(e -> e.getValue() > 0).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "))));
        if (r.stale() != null) {
            out.println("state changes acknowledged: " + r.flips() + (r.flipErrors() > 0 ? ", failed: "
                    + r.flipErrors() : "") + "; stale answers: " + r.stale() + " of " + r.staleChecked()
                    + " judged (must be 0)");
        }
    }

    static void printRoundsHeader(PrintStream out) {
        out.println(String.format(Locale.ROOT, "%-6s %-3s %12s %12s %9s %9s %9s %9s %9s %8s", "round", "", "requests/s",
                "requests", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "errors"));
    }

    static void printRound(PrintStream out, int round, String which, Result r) {
        out.println(String.format(Locale.ROOT, "%-6d %-3s %12.1f %12d %9d %9d %9d %9d %9d %8d", round, which, r.rps(),
                r.requests(), r.p50Us(), r.p90Us(), r.p99Us(), r.p999Us(), r.maxUs(), r.errors()));
        out.flush();
    }

    static void printComparison(PrintStream out, List<Result> runsA, List<Result> runsB) {
        Result a = Comparison.summarize(runsA);
        Result b = Comparison.summarize(runsB);
        out.println();
        out.println(String.format(Locale.ROOT, "%-14s %14s %14s %9s", "", "A (median)", "B (median)", "A/B"));
        for (Comparison.Figure f : Comparison.figures(a.stale() != null,
                a.cpuUsPerRequest() != null || b.cpuUsPerRequest() != null)) {
            double va = f.value().applyAsDouble(a);
            double vb = f.value().applyAsDouble(b);
            double ratio = Comparison.ratio(va, vb);
            out.println(String.format(Locale.ROOT, "%-14s %14s %14s %9s", f.label(), num(va), num(vb),
                    Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio)));
        }
        out.println();
        out.println("A " + a.url());
        details(out, a);
        out.println("B " + b.url());
        details(out, b);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : fmt(v);
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
