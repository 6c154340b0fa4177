package plight.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The two pictures of {@code --plot}, as SVG written by hand ({@link Svg}): the module needs two chart types
 * with a log "1 in N" axis and a few hundred points; a charting library (JFreeChart, XChart) would add
 * megabytes and AWT to a command-line tool for that.
 *
 * <ul>
 *   <li>{@link #percentiles}: HdrHistogram's percentile distribution: x is the percentile on a log scale of
 *       "1 in N" (x = log10(1 / (1 - p))), labelled 0 %, 90 %, 99 %, 99.9 % ...; y the latency; one curve per
 *       target.
 *   <li>{@link #timeline}: per second of the measured window, requests/s (top) and p99 latency (bottom), with
 *       a dashed line at each state change.
 * </ul>
 */
final class Plots {
    static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int W = 900;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    /** Width of the plotting area between the axes' margins. */
    private static final int PLOT_W = W - LEFT - RIGHT;

    /** One curve: its label and latencies in microseconds. */
    record Series(String name, Histogram histogram) {
    }

    private Plots() {
    }

    static String percentiles(String title, List<Series> series) {
        int h = 520;
        int top = 50;
        int bottom = h - 60;
        double maxX = 1;
        long maxUs = 1;
        List<double[][]> points = new ArrayList<>();
        for (Series s : series) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            if (s.histogram().getTotalCount() > 0) {
                for (HistogramIterationValue v : s.histogram().percentiles(5)) {
                    double p = v.getPercentileLevelIteratedTo() / 100.0;
                    if (p >= 1) {
                        break; // the last step is 100 %: infinitely far on this axis; the max is its own point
                    }
                    xs.add(Math.log10(1 / (1 - p)));
                    ys.add((double) s.histogram().highestEquivalentValue(v.getValueIteratedTo()));
                }
                // the maximum at "1 in N" where N is the number of answers: the last real point
                xs.add(Math.log10(Math.max(10, s.histogram().getTotalCount())));
                ys.add((double) s.histogram().getMaxValue());
            }
            double[][] pts = new double[2][xs.size()];
            for (int i = 0; i < xs.size(); i++) {
                pts[0][i] = xs.get(i);
                pts[1][i] = ys.get(i);
                maxX = Math.max(maxX, xs.get(i));
            }
            maxUs = Math.max(maxUs, s.histogram().getMaxValue());
            points.add(pts);
        }
        maxX = Math.ceil(maxX);
        Scale y = Scale.of(maxUs);
        Svg svg = new Svg(W, h);
        svg.text(W / 2.0, 25, title, "middle", "font-size=\"15\"");
        // grid and x labels: 0 %, 90 %, 99 % ...
        for (int d = 0; d <= (int) maxX; d++) {
            double x = LEFT + PLOT_W * d / maxX;
            svg.line(x, top, x, bottom, "#ddd", 1, null);
            svg.text(x, bottom + 18, d == 0 ? "0%" : percentLabel(d), "middle", null);
        }
        svg.text(LEFT + PLOT_W / 2.0, bottom + 40, "percentile (log scale of \"1 in N\": 90% = 1 in 10,"
                + " 99.9% = 1 in 1000)", "middle", null);
        yAxis(svg, y, top, bottom, "latency (" + y.unit + ")");
        for (int i = 0; i < series.size(); i++) {
            double[][] pts = points.get(i);
            double[] xs = new double[pts[0].length];
            double[] ys = new double[pts[0].length];
            for (int k = 0; k < xs.length; k++) {
                xs[k] = LEFT + PLOT_W * pts[0][k] / maxX;
                ys[k] = bottom - (bottom - top) * pts[1][k] / y.max;
            }
            String colour = COLOURS[i % COLOURS.length];
            svg.curve(xs, ys, colour, "curve", series.get(i).name());
            legend(svg, i, colour, series.get(i).name() + " (" + series.get(i).histogram().getTotalCount()
                    + " answers, max " + y.format(series.get(i).histogram().getMaxValue()) + " " + y.unit + ")");
        }
        return svg.toString();
    }

    static String timeline(String title, Timeline t) {
        int h = 620;
        int top1 = 60;
        int bottom1 = 300;
        int top2 = 340;
        int bottom2 = h - 60;
        List<Histogram> secs = t.seconds();
        int n = Math.max(1, secs.size());
        long maxRps = 1;
        long maxP99 = 1;
        for (Histogram s : secs) {
            maxRps = Math.max(maxRps, s.getTotalCount());
            maxP99 = Math.max(maxP99, s.getTotalCount() == 0 ? 0 : s.getValueAtPercentile(99));
        }
        Scale rps = Scale.count(maxRps);
        Scale lat = Scale.of(maxP99);
        Svg svg = new Svg(W, h);
        svg.text(W / 2.0, 25, title, "middle", "font-size=\"15\"");
        svg.text(W / 2.0, 45, t.marks().size() + " state changes (dashed lines)", "middle", "fill=\"#555\"");
        yAxis(svg, rps, top1, bottom1, "requests/s");
        yAxis(svg, lat, top2, bottom2, "p99 (" + lat.unit + ")");
        for (int s = 0; s <= n; s += Math.max(1, n / 10)) {
            double x = LEFT + PLOT_W * (double) s / n;
            svg.line(x, top1, x, bottom1, "#eee", 1, null).line(x, top2, x, bottom2, "#eee", 1, null);
            svg.text(x, bottom2 + 18, s + " s", "middle", null);
        }
        svg.text(LEFT + PLOT_W / 2.0, bottom2 + 40, "seconds into the measured window", "middle", null);
        double[] xs = new double[secs.size()];
        double[] yr = new double[secs.size()];
        double[] yl = new double[secs.size()];
        for (int s = 0; s < secs.size(); s++) {
            Histogram hs = secs.get(s);
            xs[s] = LEFT + PLOT_W * (s + 0.5) / n;
            yr[s] = bottom1 - (bottom1 - top1) * hs.getTotalCount() / rps.max;
            yl[s] = bottom2 - (bottom2 - top2) * (hs.getTotalCount() == 0 ? 0 : hs.getValueAtPercentile(99)) / lat.max;
        }
        for (Timeline.Mark m : t.marks()) {
            double x = LEFT + PLOT_W * (m.offsetNanos() / 1e9) / n;
            if (x < LEFT || x > LEFT + PLOT_W) {
                continue;
            }
            svg.line(x, top1, x, bottom1, "#999", 0.6, "3,3").line(x, top2, x, bottom2, "#999", 0.6, "3,3");
            if (t.marks().size() <= 12) {
                svg.text(x + 3, top1 + 12, m.label(), "start", "fill=\"#555\"");
            }
        }
        svg.curve(xs, yr, COLOURS[0], "rate", "requests/s");
        svg.curve(xs, yl, COLOURS[1], "p99", "p99");
        return svg.toString();
    }

    /** One curve per series of (x, y) points on linear axes from 0, e.g. RSS against connections held. */
    static String xy(String title, String xLabel, String yLabel, List<XySeries> series) {
        int h = 480;
        int top = 60;
        int bottom = h - 60;
        double maxX = 1;
        double maxY = 1;
        for (XySeries s : series) {
            for (double x : s.xs()) maxX = Math.max(maxX, x);
            for (double y : s.ys()) maxY = Math.max(maxY, y);
        }
        Scale xs = Scale.count((long) Math.ceil(maxX));
        Scale ys = Scale.count((long) Math.ceil(maxY));
        Svg svg = new Svg(W, h);
        svg.text(W / 2.0, 25, title, "middle", "font-size=\"15\"");
        yAxis(svg, ys, top, bottom, yLabel);
        for (int k = 0; k <= 5; k++) {
            double x = LEFT + PLOT_W * k / 5.0;
            svg.line(x, top, x, bottom, "#eee", 1, null);
            svg.text(x, bottom + 18, xs.format(xs.max * k / 5), "middle", null);
        }
        svg.text(LEFT + PLOT_W / 2.0, bottom + 40, xLabel, "middle", null);
        for (int i = 0; i < series.size(); i++) {
            XySeries s = series.get(i);
            double[] px = new double[s.xs().length];
            double[] py = new double[s.ys().length];
            for (int j = 0; j < px.length; j++) {
                px[j] = LEFT + PLOT_W * s.xs()[j] / xs.max;
                py[j] = bottom - (bottom - top) * s.ys()[j] / ys.max;
            }
            String colour = COLOURS[i % COLOURS.length];
            svg.curve(px, py, colour, "series", s.name());
            legend(svg, i, colour, s.name());
        }
        return svg.toString();
    }

    /** Points of one curve of {@link #xy}, in x order. */
    record XySeries(String name, double[] xs, double[] ys) {
    }

    private static void legend(Svg svg, int i, String colour, String text) {
        double y = 60 + 18 * i;
        svg.rect(LEFT + 15, y - 9, 14, 4, colour);
        svg.text(LEFT + 35, y - 3, text, "start", null);
    }

    private static void yAxis(Svg svg, Scale y, int top, int bottom, String label) {
        svg.line(LEFT, top, LEFT, bottom, "#000", 1, null).line(LEFT, bottom, W - RIGHT, bottom, "#000", 1, null);
        for (int k = 0; k <= 5; k++) {
            double v = y.max * k / 5;
            double py = bottom - (bottom - top) * k / 5.0;
            svg.line(LEFT, py, W - RIGHT, py, "#eee", 1, null);
            svg.text(LEFT - 6, py + 4, y.format(v), "end", null);
        }
        svg.text(18, (top + bottom) / 2.0, label, "middle",
                String.format(Locale.ROOT, "transform=\"rotate(-90 18 %.1f)\"", (top + bottom) / 2.0));
    }

    private static String percentLabel(int nines) {
        return nines == 1 ? "90%" : "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    /** A linear axis from 0 to a round maximum; latencies in µs or ms. */
    private record Scale(double max, String unit, double divisor) {
        static Scale of(long maxUs) {
            boolean ms = maxUs >= 10_000;
            double divisor = ms ? 1000 : 1;
            return new Scale(round(maxUs / divisor) * divisor, ms ? "ms" : "µs", divisor);
        }

        static Scale count(long max) {
            return new Scale(round(max), "", 1);
        }

        private static double round(double v) {
            double p = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1))));
            for (double m : new double[] {1, 2, 2.5, 5, 10}) {
                if (m * p >= v) {
                    return m * p;
                }
            }
            return 10 * p;
        }

        String format(double us) {
            double v = us / divisor;
            return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
        }
    }
}
