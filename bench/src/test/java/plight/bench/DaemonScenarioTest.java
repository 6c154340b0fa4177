package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private BenchRun bench(String... args) throws Exception {
        return BenchRun.withJson(dir, null, args);
    }

    @Test
    void keepaliveClosePipelineAgainstTheDaemonHaveNoErrors() throws Exception {
        for (String scenario : List.of("keepalive", "close", "pipeline")) {
            BenchRun r = bench(scenario, "--url", node.url(), "--connections", "4", "--duration", "1s", "--warmup", "0",
                    "--threads", "1");
            r.assertNoErrors(scenario);
            assertEquals(Map.of("200", r.json().get("requests")), r.json().get("status"), r.describe());
        }
    }

    @Test
    void flipThroughTheControlSocketSeesNoStaleAnswer() throws Exception {
        Path plot = dir.resolve("flip.svg");
        BenchRun r = bench("flip", "--url", node.url(), "-c", node.conf.toString(), "--connections", "4",
                "--duration", "1s", "--warmup", "0", "--flip-interval", "50ms", "--threads", "1",
                "--plot", plot.toString());
        r.assertNoErrors("flip");
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
        BenchRun r = bench("fleet", "--url", node.url(), "--connections", "40", "--rate", "10", "--reuse-share", "50",
                "--jitter", "10", "--duration", "1s", "--warmup", "200ms", "--plot", plot.toString());
        r.assertNoErrors("fleet");
        // scheduled checks: about 40 x 10/s x 1 s (jitter moves a few across the window's edges)
        assertTrue(r.number("requests") >= 200 && r.number("requests") <= 480, r.describe());
        assertEquals(1, curves(svg(plot), "curve"));
        assertEquals(1, curves(svg(BenchMain.timelinePath(plot)), "rate"));
    }

    @Test
    void h2AndGrpcAgainstTheDaemonHaveNoErrors() throws Exception {
        for (List<String> load : List.of(List.of("--streams", "8"), List.of("--new-connection"))) {
            BenchRun h2 = bench(args("h2", load));
            h2.assertNoErrors("h2");
            assertEquals(Map.of("200", h2.json().get("requests")), h2.json().get("status"), h2.describe());
            assertTrue(h2.err().contains("answers 200 over h2c, x-plight-state: enabled"), h2.describe());
            BenchRun grpc = bench(args("grpc", load));
            grpc.assertNoErrors("grpc");
            assertEquals(Map.of("0", grpc.json().get("requests")), grpc.json().get("status"), grpc.describe());
            assertEquals(Map.of("SERVING", grpc.json().get("requests")), grpc.json().get("serving"), grpc.describe());
        }
    }

    private static String[] args(String scenario, List<String> load) {
        List<String> a = new java.util.ArrayList<>(List.of(scenario, "--url", node.url(), "--connections", "2",
                "--duration", "500ms", "--warmup", "0", "--threads", "1"));
        a.addAll(load);
        return a.toArray(String[]::new);
    }

    @Test
    void cpuPerRequestOfTheDaemonNamedByItsPidfile() throws Exception {
        // the daemon runs in this JVM, so the pidfile names this process, as bin/plight start's would name its JVM
        try (PidFile pid = PidFile.acquire(node.config.pidFile())) {
            BenchRun r = bench("keepalive", "--url", node.url(), "-c", node.conf.toString(), "--connections", "2",
                    "--duration", "1s", "--warmup", "0", "--threads", "1");
            r.assertNoErrors("keepalive");
            assertTrue(r.json().get("cpu_us_per_request") instanceof Number, r.describe());
            assertTrue(r.out().contains("target CPU"), r.describe());
        }
        BenchRun byPid = bench("close", "--url", node.url(), "--pid", Long.toString(ProcessHandle.current().pid()),
                "--connections", "2", "--duration", "500ms", "--warmup", "0");
        byPid.assertNoErrors("close");
        assertTrue(byPid.json().get("cpu_us_per_request") instanceof Number, byPid.describe());
    }

    @Test
    void compareHasAandBandRatioPerFigureAndOneCurvePerTarget() throws Exception {
        Path plot = dir.resolve("compare.svg");
        try (TestServer other = new TestServer(() -> "enabled")) {
            BenchRun r = bench("keepalive", "--url", node.url(), "--compare", other.url(), "--rounds", "2",
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
