package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV-to-SVG line chart the footprint script draws its RSS curve with. */
class XyPlotTest {
    @TempDir
    Path dir;

    @Test
    void eachSeriesOfTheCsvBecomesOneNamedCurveWithAPointPerLine() throws Exception {
        Path csv = dir.resolve("rss.csv");
        Files.writeString(csv, "series,connections,rss_mib\nbefore,0,57\nbefore,5000,80\nbefore,10000,99\nafter,0,45\nafter,10000,70\n");
        Path svg = dir.resolve("rss.svg");
        XyPlot.main(new String[] {csv.toString(), svg.toString(), "RSS & connections", "connections held", "RSS (MiB)"});
        String text = Files.readString(svg);
        assertTrue(text.startsWith("<?xml") && text.endsWith("</svg>\n"), text);
        assertTrue(text.contains("RSS &amp; connections"), "title, escaped");
        assertEquals(2, text.split("class=\"series\"", -1).length - 1, "two curves");
        String before = text.substring(text.indexOf("data-name=\"before\""));
        String d = before.substring(before.indexOf(" d=\"") + 4, before.indexOf("\"/>"));
        assertEquals(3, d.split(" L").length, "three points: " + d);
    }
}
