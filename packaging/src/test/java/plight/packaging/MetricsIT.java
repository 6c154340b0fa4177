package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.testkit.Await;
import plight.testkit.JsonReader;
import plight.testkit.Ports;
import plight.testkit.Processes;
import plight.testkit.Tools;

/** {@code [metrics] port} of the real daemon, read by the real Prometheus tools and by {@code plight stats --format prometheus}. */
@Timeout(180)
class MetricsIT extends OneNode {
    private int metricsPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void node() throws IOException {
        node = new PlightNode(dir);
        metricsPort = node.withMetricsPort();
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void statsFormatPrometheusPrintsWhatTheMetricsPortServesAndPromtoolAcceptsIt() throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        node.start();
        node.probe();
        assertEquals(0, node.plight("disable", "--reason", "a \"quoted\" reason").exit());
        Processes.Result stats = node.plight("stats", "--format", "prometheus");
        assertEquals(0, stats.exit(), stats::toString);
        assertTrue(stats.out().contains("plight_state{state=\"disabled\"} 1.0\n"), stats.out());
        assertTrue(stats.out().contains("plight_probes_total{protocol=\"http\",state=\"enabled\"} 1.0\n"), stats.out());
        Path file = Files.writeString(dir.resolve("stats.prom"), stats.out());
        Processes.Result check = Processes.run(new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()), Duration.ofSeconds(30));
        assertEquals(0, check.exit(), check + "\n" + stats.out());
        // The same series as a scrape (values move: the process figures).
        assertEquals(seriesNames(scrape()), seriesNames(stats.out()));

        Processes.Result bad = node.plight("stats", "--format", "xml");
        assertEquals(2, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("valid: text, json, prometheus"), bad::toString);
    }

    private static List<String> seriesNames(String exposition) {
        return exposition.lines().filter(l -> l.startsWith("# TYPE ")).sorted().toList();
    }

    @Test
    void alertRulesExamplePassesPromtoolCheckRules() throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        Path rules = Path.of("examples/plight-alerts.yml").toAbsolutePath();
        Processes.Result r = Processes.run(new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString()),
                Duration.ofSeconds(30));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("SUCCESS: 4 rules found"), r::toString);
    }

    @Test
    void aRealPrometheusScrapingTheDaemonSeesDisabledAfterPlightDisable() throws Exception {
        Path prometheus = Tools.require("prometheus", "prometheus");
        node.start();
        int webPort = Ports.free();
        Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + Path.of("examples/plight-alerts.yml").toAbsolutePath(),
                "scrape_configs:",
                "  - job_name: plight",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + metricsPort + "']",
                ""));
        Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + webPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String up = "up{job=\"plight\"} == 1";
            Await.until(() -> !query(webPort, up).isEmpty(), Duration.ofSeconds(60), "Prometheus to scrape plight");
            assertTrue(!query(webPort, "plight_state{state=\"enabled\"} == 1").isEmpty());
            assertEquals(0, node.plight("disable").exit());
            Await.until(() -> !query(webPort, "plight_state{state=\"disabled\"} == 1").isEmpty(), Duration.ofSeconds(60),
                    "Prometheus to see plight_state{state=\"disabled\"} == 1");
            assertTrue(query(webPort, "plight_state{state=\"enabled\"} == 1").isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- prometheus.log\n" + Files.readString(dir.resolve("prometheus.log")), e);
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** The result vector of an instant query; empty when Prometheus is not up yet or nothing matches. */
    @SuppressWarnings("unchecked")
    private List<Object> query(int webPort, String promql) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort
                    + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return List.of();
            Map<String, Object> data = (Map<String, Object>) JsonReader.object(r.body()).get("data");
            return (List<Object>) data.get("result");
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * {@code plight reload} is what plightd.service's ExecReload runs: a file it refuses must reach the daemon, which
     * records the refusal (the metric PlightReloadFailed alerts on, a {@code reload} log event), whatever is wrong in it.
     */
    @Test
    void aReloadThePlightCommandRefusesIsRecordedByTheDaemon() throws Exception {
        String good = PlightNode.CONF.replace("[logging]\n", "[logging]\nformat = json\n") + "[metrics]\nport = " + metricsPort + "\n";
        node.writeConf(good);
        node.start();
        assertEquals(List.of("plight_config_last_reload_successful 1.0"), reloadSuccessful());
        List<String> broken = List.of(good.replace("code = 503", "code = 999"),
                good.replace("message = node is offline\n", "message = node is offline\nagent = upp ready\n"));
        for (String bad : broken) {
            node.writeConf(bad);
            Processes.Result refused = node.plight("reload");
            assertEquals(78, refused.exit(), refused::toString);
            assertEquals("", refused.out());
            assertTrue(refused.err().matches("plight: " + java.util.regex.Pattern.quote(node.conf.toString()) + ":\\d+: [^\n]+\n"), refused::toString);
            assertEquals(List.of("plight_config_last_reload_successful 0.0"), reloadSuccessful(), "after " + refused);

            node.writeConf(good);
            assertEquals(0, node.plight("reload").exit());
            assertEquals(List.of("plight_config_last_reload_successful 1.0"), reloadSuccessful());
        }
        List<Map<String, Object>> refusals = Files.readAllLines(node.appLog()).stream().map(JsonReader::object)
                .filter(o -> "reload".equals(o.get("event")) && "refused".equals(o.get("status"))).toList();
        assertEquals(2, refusals.size(), refusals::toString);
        assertTrue(((String) refusals.get(0).get("reason")).contains("999"), refusals::toString);
        assertTrue(((String) refusals.get(1).get("reason")).contains("upp"), refusals::toString);
    }

    private List<String> reloadSuccessful() throws Exception {
        return scrape().lines().filter(l -> l.startsWith("plight_config_last_reload_successful ")).toList();
    }

    @Test
    void tenThousandScrapesDoNotGrowTheDaemonsMemory() throws Exception {
        PlightNode.Daemon daemon = node.start();
        // A leak grows RSS in every batch; the heap reaching its working size and the JIT compiling the scrape path
        // grow it once, in whichever batch that happens (later on a busy machine, where the compiler threads wait for
        // a CPU). So: four batches of 5,000 scrapes, and at least one of the last three must add (nearly) nothing.
        // A leak of 1 KiB a scrape adds 5 MiB to every batch.
        long[] rss = new long[5];
        rss[0] = rssKib(daemon.pid());
        for (int batch = 1; batch < rss.length; batch++) {
            for (int i = 0; i < 5_000; i++) scrape();
            rss[batch] = rssKib(daemon.pid());
        }
        System.out.println("daemon RSS (KiB) idle and after each 5,000 scrapes: " + java.util.Arrays.toString(rss));
        long quietest = Long.MAX_VALUE;
        for (int batch = 2; batch < rss.length; batch++) quietest = Math.min(quietest, rss[batch] - rss[batch - 1]);
        assertTrue(quietest < 2 * 1024, "RSS grew in every batch of 5,000 scrapes: " + java.util.Arrays.toString(rss) + " KiB");
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }
}
