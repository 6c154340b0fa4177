package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import plight.control.PidFile;
import plight.testkit.JsonReader;

/**
 * Every scenario, a second or so each, against the real daemon assembly in this JVM: answers flow, no errors,
 * no stale answers, the JSON has SPEC's keys; plots are well-formed SVG with one curve per target.
 */
class DaemonScenarioTest {
    @TempDir
    static Path nodeDir;
    static InProcessNode node;

    @TempDir
    Path dir;

    @BeforeAll
    static void startNode() throws Exception {
        node = InProcessNode.start(nodeDir);
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    record Run(int status, String out, String err, Map<String, Object> json) {
        String describe() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err + "--- json\n" + json;
        }

        long number(String key) {
            return ((Number) json.get(key)).longValue();
        }
    }

    private Run bench(String... args) throws Exception {
        Path json = dir.resolve("out-" + System.nanoTime() + ".json");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--json", json.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchMain.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), null);
        Map<String, Object> parsed = Files.exists(json) ? JsonReader.object(Files.readString(json)) : null;
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), parsed);
    }

    private static void assertHealthy(Run r, String scenario) {
        assertEquals(0, r.status(), r.describe());
        assertNotNull(r.json(), r.describe());
        for (String key : ScenarioTest.KEYS) {
            assertTrue(r.json().containsKey(key), key + " missing: " + r.describe());
        }
        assertEquals(scenario, r.json().get("scenario"));
        assertTrue(r.number("requests") > 0, r.describe());
        assertEquals(0, r.number("errors"), r.describe());
    }

    @Test
    void keepaliveClosePipelineAgainstTheDaemonHaveNoErrors() throws Exception {
        for (String scenario : List.of("keepalive", "close", "pipeline")) {
            Run r = bench(scenario, "--url", node.url(), "--connections", "4", "--duration", "1s", "--warmup", "0",
                    "--threads", "1");
            assertHealthy(r, scenario);
            assertEquals(Map.of("200", r.json().get("requests")), r.json().get("status"), r.describe());
        }
    }

    @Test
    void flipThroughTheControlSocketSeesNoStaleAnswer() throws Exception {
        Path plot = dir.resolve("flip.svg");
        Run r = bench("flip", "--url", node.url(), "-c", node.conf.toString(), "--connections", "4",
                "--duration", "1s", "--warmup", "0", "--flip-interval", "50ms", "--threads", "1",
                "--plot", plot.toString());
        assertHealthy(r, "flip");
        assertEquals(0, r.number("stale"), r.describe());
        assertTrue(r.number("flips") > 0 && r.number("stale_checked") > 0, r.describe());
        assertEquals(200, plight.testkit.RawHttp.once(node.port()).code(), "the node ends in the state it started in");
        Document timeline = svg(BenchMain.timelinePath(plot));
        assertEquals(1, curves(timeline, "rate"), "one requests/s curve");
        assertEquals(1, curves(timeline, "p99"), "one p99 curve");
        assertTrue(timeline.getElementsByTagName("line").getLength() > r.number("flips"),
                "a line per acknowledged change, besides the grid");
    }

    @Test
    void fleetWithHalfTheBalancersReusingConnectionsHasNoErrors() throws Exception {
        Path plot = dir.resolve("fleet.svg");
        Run r = bench("fleet", "--url", node.url(), "--connections", "40", "--rate", "10", "--reuse-share", "50",
                "--jitter", "10", "--duration", "1s", "--warmup", "200ms", "--plot", plot.toString());
        assertHealthy(r, "fleet");
        // scheduled checks: about 40 x 10/s x 1 s (jitter moves a few across the window's edges)
        assertTrue(r.number("requests") >= 200 && r.number("requests") <= 480, r.describe());
        assertEquals(1, curves(svg(plot), "curve"));
        assertEquals(1, curves(svg(BenchMain.timelinePath(plot)), "rate"));
    }

    @Test
    void cpuPerRequestOfTheDaemonNamedByItsPidfile() throws Exception {
        // the daemon runs in this JVM, so the pidfile names this process, as bin/plight start's would name its JVM
        try (PidFile pid = PidFile.acquire(node.config.pidFile())) {
            Run r = bench("keepalive", "--url", node.url(), "-c", node.conf.toString(), "--connections", "2",
                    "--duration", "1s", "--warmup", "0", "--threads", "1");
            assertHealthy(r, "keepalive");
            assertTrue(r.json().get("cpu_us_per_request") instanceof Number, r.describe());
            assertTrue(r.out().contains("target CPU"), r.describe());
        }
        Run byPid = bench("close", "--url", node.url(), "--pid", Long.toString(ProcessHandle.current().pid()),
                "--connections", "2", "--duration", "500ms", "--warmup", "0");
        assertHealthy(byPid, "close");
        assertTrue(byPid.json().get("cpu_us_per_request") instanceof Number, byPid.describe());
    }

    @Test
    void compareHasAandBandRatioPerFigureAndOneCurvePerTarget() throws Exception {
        Path plot = dir.resolve("compare.svg");
        try (TestServer other = new TestServer(() -> "enabled")) {
            Run r = bench("keepalive", "--url", node.url(), "--compare", other.url(), "--rounds", "2",
                    "--connections", "2", "--duration", "300ms", "--warmup", "0", "--threads", "1",
                    "--pid", Long.toString(ProcessHandle.current().pid()),
                    "--compare-pid", Long.toString(ProcessHandle.current().pid()), "--plot", plot.toString());
            assertEquals(0, r.status(), r.describe());
            @SuppressWarnings("unchecked")
            Map<String, Object> ratio = (Map<String, Object>) r.json().get("ratio");
            for (String key : List.of("requests", "errors", "rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us",
                    "stale", "cpu_us_per_request")) {
                assertTrue(ratio.containsKey(key), key + ": " + r.describe());
                for (String side : List.of("a", "b")) {
                    assertTrue(((Map<?, ?>) r.json().get(side)).containsKey(key), side + "." + key);
                }
            }
            assertEquals(0L, ((Map<?, ?>) r.json().get("a")).get("errors"), r.describe());
            assertEquals(0L, ((Map<?, ?>) r.json().get("b")).get("errors"), r.describe());
            Document d = svg(plot);
            assertEquals(2, curves(d, "curve"), "one curve per target");
        }
    }

    /** Parses {@code file} with the JDK's XML parser: it must be a well-formed SVG document. */
    static Document svg(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(new InputSource(new StringReader(Files.readString(file))));
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        return d;
    }

    static int curves(Document d, String cls) {
        NodeList paths = d.getElementsByTagName("path");
        int n = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            Element p = (Element) paths.item(i);
            if (p.getAttribute("class").equals(cls) && p.getAttribute("d").startsWith("M")) {
                n++;
            }
        }
        return n;
    }
}
