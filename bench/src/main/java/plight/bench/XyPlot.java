package plight.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws a CSV of {@code series,x,y} lines (a header line is skipped) as an SVG line chart, one curve per series:
 * {@code java -cp 'lib/*' plight.bench.XyPlot IN.csv OUT.svg TITLE X_LABEL Y_LABEL}. For the scripts under
 * bench/scripts (RSS against connections held, in RELIABILITY.md), with the same drawing code as plight-bench's plots.
 */
public final class XyPlot {
    private XyPlot() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: XyPlot IN.csv OUT.svg TITLE X_LABEL Y_LABEL");
            System.exit(2);
        }
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String[] f = lines.get(n).split(",");
            if (f.length != 3 || (n == 0 && !f[1].strip().matches("[-0-9.]+"))) {
                if (n == 0) continue; // header
                throw new IllegalArgumentException(args[0] + ":" + (n + 1) + ": expected series,x,y, got " + lines.get(n));
            }
            points.computeIfAbsent(f[0].strip(), k -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(f[1].strip()), Double.parseDouble(f[2].strip())});
        }
        List<Plots.XySeries> series = new ArrayList<>();
        points.forEach((name, ps) -> series.add(new Plots.XySeries(name,
                ps.stream().mapToDouble(p -> p[0]).toArray(), ps.stream().mapToDouble(p -> p[1]).toArray())));
        Files.writeString(Path.of(args[1]), Plots.xy(args[2], args[3], args[4], series), StandardCharsets.UTF_8);
    }
}
