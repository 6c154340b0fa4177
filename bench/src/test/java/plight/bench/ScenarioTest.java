package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every scenario, about a second each, against {@link TestServer}: requests flow, nothing fails, JSON is complete. */
class ScenarioTest {

    static TestServer enabled;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws InterruptedException {
        enabled = new TestServer(() -> "enabled");
    }

    @AfterAll
    static void stopServer() {
        enabled.close();
    }

    private BenchRun bench(StateFlipper flipper, String... args) throws Exception {
        return BenchRun.withJson(dir, flipper, args);
    }

    private BenchRun bench(String... args) throws Exception {
        return bench(null, args);
    }

    private static void assertHealthy(BenchRun r, String scenario) {
        r.assertNoErrors(scenario);
        assertTrue(r.number("p50_us") <= r.number("p99_us") && r.number("p99_us") <= r.number("max_us"),
                r.describe());
        assertTrue(r.out().contains("requests/s"), r.describe());
        assertTrue(r.out().contains("p99.9 us"), r.describe());
    }

    @Test
    void keepalive() throws Exception {
        long before = enabled.requests.get();
        BenchRun r = bench("keepalive", "--url", enabled.url(), "--connections", "8", "--duration", "1s",
                "--warmup", "200ms", "--threads", "2");
        assertHealthy(r, "keepalive");
        assertNull(r.json().get("stale"), "stale does not apply");
        assertEquals(r.number("requests"), ((Map<?, ?>) r.json().get("status")).values().stream()
                .mapToLong(v -> ((Number) v).longValue()).sum(), "every answer counted by status");
        assertTrue(enabled.requests.get() - before >= r.number("requests") + 1,
                "the server saw at least the preflight and the recorded requests");
    }

    @Test
    void serverClosingAfterSomeRequestsIsNotAnError() throws Exception {
        try (TestServer nginxLike = new TestServer(() -> "enabled", 100)) {
            for (String scenario : List.of("keepalive", "pipeline")) {
                BenchRun r = bench(scenario, "--url", nginxLike.url(), "--connections", "4", "--duration", "500ms",
                        "--warmup", "0");
                assertHealthy(r, scenario);
                assertTrue(r.number("requests") > 100, "connections were replaced: " + r.describe());
            }
        }
    }

    @Test
    void keepaliveOnNio() throws Exception {
        BenchRun r = bench("keepalive", "--url", enabled.url(), "--connections", "4", "--duration", "500ms",
                "--warmup", "0", "--transport", "nio", "--threads", "1");
        assertHealthy(r, "keepalive");
        assertEquals("nio", r.json().get("transport"));
    }

    @Test
    void close() throws Exception {
        BenchRun r = bench("close", "--url", enabled.url(), "--connections", "4", "--duration", "1s", "--warmup", "200ms");
        assertHealthy(r, "close");
    }

    @Test
    void pipeline() throws Exception {
        BenchRun r = bench("pipeline", "--url", enabled.url(), "--connections", "4", "--pipeline", "8",
                "--duration", "1s", "--warmup", "200ms");
        assertHealthy(r, "pipeline");
        assertTrue(r.out().contains("4 connections x 8 in flight"), r.describe());
    }

    @Test
    void fleet() throws Exception {
        BenchRun r = bench("fleet", "--url", enabled.url(), "--connections", "20", "--rate", "20", "--duration", "1s",
                "--warmup", "200ms");
        assertHealthy(r, "fleet");
        // checks are scheduled: never more than 20 load balancers x 20/s x 1 s
        assertTrue(r.number("requests") <= 400, r.describe());
    }

    @Test
    void flipThroughCommandsSeesNoStaleAnswerAndRestoresTheState() throws Exception {
        Path marker = dir.resolve("node_disabled");
        try (TestServer server = new TestServer(() -> Files.exists(marker) ? "disabled" : "enabled")) {
            BenchRun r = bench("flip", "--url", server.url(), "--connections", "4", "--duration", "1s",
                    "--warmup", "100ms", "--flip-interval", "100ms",
                    "--flip-command", "disabled=touch '" + marker + "'",
                    "--flip-command", "enabled=rm -f '" + marker + "'");
            assertHealthy(r, "flip");
            assertEquals(0, r.number("stale"), r.describe());
            assertTrue(r.number("flips") > 0, r.describe());
            assertTrue(r.number("stale_checked") > 0, r.describe());
            Map<?, ?> status = (Map<?, ?>) r.json().get("status");
            assertTrue(status.containsKey("200") && status.containsKey("404"), "both states served: " + status);
            assertTrue(r.out().contains("stale"), r.describe());
            assertFalse(Files.exists(marker), "the cycle was completed: back to enabled");
        }
    }

    @Test
    void flipRefusesToLeaveTheNodeInAnotherStateThanItFoundIt() throws Exception {
        Path marker = dir.resolve("node_disabled");
        Files.createFile(marker);
        try (TestServer server = new TestServer(() -> Files.exists(marker) ? "disabled" : "enabled")) {
            BenchRun r = bench("flip", "--url", server.url(), "--duration", "1s",
                    "--flip-command", "disabled=touch '" + marker + "'",
                    "--flip-command", "enabled=rm -f '" + marker + "'");
            assertEquals(1, r.status(), r.describe());
            assertTrue(r.err().contains("the node is in state 'disabled' but the flip cycle ends in 'enabled'"),
                    r.describe());
            assertTrue(Files.exists(marker), "untouched");
        }
    }

    @Test
    void flipCountsStaleAnswers() throws Exception {
        // a daemon that acknowledges a change but serves it only 200 ms later
        AtomicReference<String> state = new AtomicReference<>("enabled");
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        StateFlipper lagging = new StateFlipper() {
            @Override
            public String flip() {
                String next = state.get().equals("enabled") ? "disabled" : "enabled";
                later.schedule(() -> state.set(next), 200, TimeUnit.MILLISECONDS);
                return next;
            }

            @Override
            public void close() {
                // nothing to put back: the test's state is thrown away
            }
        };
        try (TestServer server = new TestServer(state::get)) {
            BenchRun r = bench(lagging, "flip", "--url", server.url(), "--connections", "2", "--duration", "1s",
                    "--warmup", "0", "--flip-interval", "300ms");
            assertEquals(1, r.status(), r.describe());
            assertTrue(r.number("stale") > 0, r.describe());
            assertTrue(r.err().contains("stale answers"), r.describe());
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void compareRunsBothTargetsInTurns() throws Exception {
        try (TestServer disabled = new TestServer(() -> "disabled")) {
            long aBefore = enabled.requests.get();
            long bBefore = disabled.requests.get();
            BenchRun r = bench("keepalive", "--url", enabled.url(), "--compare", disabled.url(), "--rounds", "2",
                    "--connections", "4", "--duration", "300ms", "--warmup", "100ms");
            assertEquals(0, r.status(), r.describe());
            assertEquals("keepalive", r.json().get("scenario"));
            assertEquals(2L, r.json().get("rounds"));
            for (String side : List.of("a", "b")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) r.json().get(side);
                for (String key : BenchRun.KEYS) {
                    assertTrue(m.containsKey(key), side + "." + key + ": " + r.describe());
                }
                assertTrue(((Number) m.get("requests")).longValue() > 0, r.describe());
                assertEquals(0L, m.get("errors"), "a 404 is an answer, not an error: " + r.describe());
                assertEquals(2, ((List<?>) m.get("runs")).size());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> ratio = (Map<String, Object>) r.json().get("ratio");
            for (String key : List.of("rps", "p50_us", "p99_us", "max_us")) {
                assertTrue(ratio.get(key) instanceof Number, key + ": " + r.describe());
            }
            assertTrue(((Map<?, ?>) ((Map<?, ?>) r.json().get("b")).get("status")).containsKey("404"));
            assertTrue(enabled.requests.get() > aBefore && disabled.requests.get() > bBefore);
            assertTrue(r.out().contains("A/B"), r.describe());
            assertTrue(r.out().lines().filter(l -> l.matches("^[12]\\s+[AB]\\s.*")).count() == 4, r.describe());
        }
    }

    @Test
    void lostRequestsAreCountedAsErrors() throws Exception {
        // answers the first connection (the preflight), then closes every connection without answering
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                boolean first = true;
                while (!ss.isClosed()) {
                    try (Socket s = ss.accept()) {
                        if (first) {
                            first = false;
                            InputStream in = s.getInputStream();
                            in.read(new byte[1024]);
                            OutputStream o = s.getOutputStream();
                            o.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                        } else {
                            s.getInputStream().read(new byte[1024]);
                        }
                    } catch (Exception e) {
                        // closed at the end of the test
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            BenchRun r = bench("close", "--url", "http://127.0.0.1:" + ss.getLocalPort() + "/", "--connections", "2",
                    "--duration", "500ms", "--warmup", "0");
            assertEquals(0, r.status(), r.describe());
            assertEquals(0, r.number("requests"), r.describe());
            assertTrue(r.number("errors") > 0, r.describe());
            @SuppressWarnings("unchecked")
            Map<String, Object> kinds = (Map<String, Object>) r.json().get("error_kinds");
            assertTrue(((Number) kinds.get("closed")).longValue() + ((Number) kinds.get("reset")).longValue() > 0, r.describe());
            assertTrue(r.out().contains("errors: "), r.describe());
        }
    }
}
