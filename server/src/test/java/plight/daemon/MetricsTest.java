package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.control.Caller;
import plight.control.Reply;
import plight.testkit.Await;
import plight.testkit.Ports;
import plight.testkit.Processes;
import plight.testkit.RawHttp;
import plight.testkit.Tools;

/** {@code [metrics] port}: the real daemon assembly scraped over HTTP, checked by promtool. */
class MetricsTest {
    private static final Caller ALICE = new Caller(1000, 4242, "alice");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)$");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private LiveNode start() throws Exception {
        return LiveNode.start(dir, LiveNode.CONF + "[metrics]\nhost = 127.0.0.1\nport = " + Ports.free() + "\n");
    }

    private HttpResponse<byte[]> get(LiveNode node, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.daemon.metricsPorts().get(0) + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String scrape(LiveNode node) throws Exception {
        HttpResponse<byte[]> r = get(node, "/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** promtool's verdict, lint included; fails the test with its output. */
    private void promtoolAccepts(String exposition, String when) throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        Path file = Files.writeString(dir.resolve("scrape.txt"), exposition);
        Processes.Result r = Processes.run(new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()), Duration.ofSeconds(30));
        assertEquals(0, r.exit(), "promtool check metrics " + when + ":\n" + r + "\n" + exposition);
    }

    private static Map<String, Double> samples(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) samples.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return samples;
    }

    /** Every {@code _total} series of {@code before} is still there in {@code after}, and not smaller. */
    private static void countersOnlyGrow(Map<String, Double> before, Map<String, Double> after, String when) {
        before.forEach((series, value) -> {
            if (!series.contains("_total")) return;
            assertTrue(after.containsKey(series), series + " vanished " + when);
            assertTrue(after.get(series) >= value, series + " went down " + when + ": " + value + " -> " + after.get(series));
        });
    }

    private static void exactlyOneState(Map<String, Double> samples, String expected) {
        List<String> ones = new ArrayList<>();
        samples.forEach((series, value) -> {
            if (series.startsWith("plight_state{")) {
                assertTrue(value == 0 || value == 1, series + " = " + value);
                if (value == 1) ones.add(series);
            }
        });
        assertEquals(List.of("plight_state{state=\"" + expected + "\"}"), ones);
    }

    @Test
    void scrapesInEveryStateAfterReloadAndTtlExpiryPassPromtoolWithOneStateSetAndGrowingCounters() throws Exception {
        try (LiveNode node = start()) {
            node.probeOnce();
            String text = scrape(node);
            promtoolAccepts(text, "at start");
            Map<String, Double> last = samples(text);
            exactlyOneState(last, "enabled");
            assertEquals(1.0, last.get("plight_probes_total{protocol=\"http\",state=\"enabled\"}"), text);
            assertEquals(1.0, last.get("plight_probe_sources"), text);
            assertEquals(1.0, last.get("plight_build_info{version=\"" + plight.config.Version.get() + "\"}"), text);
            assertTrue(last.get("process_resident_memory_bytes") > 0, text);

            for (String state : List.of("disabled", "offline", "enabled")) {
                assertTrue(node.actions.set(state, "because", null, ALICE).isOk());
                node.probeOnce();
                text = scrape(node);
                promtoolAccepts(text, "in " + state);
                Map<String, Double> now = samples(text);
                exactlyOneState(now, state);
                countersOnlyGrow(last, now, "after set " + state);
                last = now;
            }
            assertEquals(1.0, last.get("plight_state_changes_total{from=\"enabled\",origin=\"cli\",to=\"disabled\"}"), text);

            assertTrue(node.reloadBySignal().isOk());
            text = scrape(node);
            promtoolAccepts(text, "after a reload");
            Map<String, Double> now = samples(text);
            assertEquals(1.0, now.get("plight_config_last_reload_successful"), text);
            countersOnlyGrow(last, now, "after a reload");
            last = now;

            assertTrue(node.actions.set("disabled", null, Duration.ofMillis(300), ALICE).isOk());
            text = scrape(node);
            now = samples(text);
            assertTrue(now.containsKey("plight_state_expiry_timestamp_seconds"), text);
            Await.until(LiveNode.probes(node, 200), Duration.ofSeconds(10), "the ttl to expire");
            text = scrape(node);
            promtoolAccepts(text, "after a ttl expiry");
            now = samples(text);
            exactlyOneState(now, "enabled");
            assertEquals(1.0, now.get("plight_state_changes_total{from=\"disabled\",origin=\"ttl\",to=\"enabled\"}"), text);
            assertTrue(!now.containsKey("plight_state_expiry_timestamp_seconds"), text);
            countersOnlyGrow(last, now, "after a ttl expiry");

            Files.writeString(node.conf, "[nonsense");
            assertTrue(!node.reloadBySignal().isOk());
            now = samples(scrape(node));
            assertEquals(0.0, now.get("plight_config_last_reload_successful"));
        }
    }

    @Test
    void eachSourcesLastSeenCarriesTheProbersKindFromItsUserAgentAndAgentChecks() throws Exception {
        try (LiveNode node = start()) {
            try (RawHttp h = new RawHttp(node.port())) {
                assertEquals(200, h.send("GET /healthz HTTP/1.1\r\nHost: node\r\nUser-Agent: kube-probe/1.29\r\n\r\n").read().code());
            }
            try (Socket agent = RawHttp.connected(new Socket(), new InetSocketAddress("127.0.0.1", node.daemon.agentPorts().get(0)))) {
                agent.getInputStream().readAllBytes(); // the agent line, then plight closes
            }
            Await.until(() -> node.daemon.sources().snapshot().size() == 2, Duration.ofSeconds(10), "both sources");
            String text = scrape(node);
            promtoolAccepts(text, "with an HTTP and an agent source");
            Map<String, Double> now = samples(text);
            assertTrue(now.containsKey("plight_probe_source_last_seen_timestamp_seconds{kind=\"kube-probe\",source=\"127.0.0.1\"}"), text);
            assertTrue(now.containsKey("plight_probe_source_last_seen_timestamp_seconds{kind=\"agent\",source=\"127.0.0.1\"}"), text);
        }
    }

    @Test
    void controlMetricsRequestGivesTheSameExposition() throws Exception {
        try (LiveNode node = start()) {
            Reply reply = node.actions.metrics();
            String viaControl = String.join("\n", reply.all("line")) + "\n";
            assertTrue(viaControl.contains("plight_state{state=\"enabled\"} 1.0\n"), viaControl);
            promtoolAccepts(viaControl, "from the control socket");
        }
    }

    @Test
    void onlyMetricsPathIsServedOthersAre404() throws Exception {
        try (LiveNode node = start()) {
            assertEquals(404, get(node, "/").statusCode());
            assertEquals(404, get(node, "/metrics/x").statusCode());
            assertEquals(200, get(node, "/metrics?name[]=x").statusCode());
            // The probe port still answers every path with the state.
            assertEquals(200, RawHttp.once(node.port()).code());
        }
    }

    @Test
    void gzipAndOpenMetricsWhenTheScraperAsks() throws Exception {
        try (LiveNode node = start()) {
            HttpResponse<byte[]> gz = get(node, "/metrics", "Accept-Encoding", "gzip");
            assertEquals("gzip", gz.headers().firstValue("content-encoding").orElse(""));
            String text;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(text.contains("# TYPE plight_state gauge"), text);

            HttpResponse<byte[]> om = get(node, "/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertTrue(om.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(new String(om.body(), StandardCharsets.UTF_8).endsWith("# EOF\n"));
        }
    }

    @Test
    void aScraperThatNeverReadsDoesNotStopProbes() throws Exception {
        try (LiveNode node = start(); Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", node.daemon.metricsPorts().get(0)), 10_000);
            slow.setReceiveBufferSize(4096);
            OutputStream out = slow.getOutputStream();
            byte[] request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            // Far more answers than the socket buffers can hold: the daemon stops reading this scraper.
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) out.write(request);
                } catch (IOException expected) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            for (int i = 0; i < 200; i++) {
                assertEquals(200, RawHttp.once(node.port()).code());
            }
            assertEquals(200, get(node, "/metrics").statusCode(), "another scraper is still served");
        }
    }
}
