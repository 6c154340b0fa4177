package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.JsonReader;
import plight.testkit.Ports;
import plight.testkit.Processes;

/**
 * {@code --wait} and {@code wait drained} against real HAProxy instances checking a plight daemon at {@code inter 100ms}:
 * with {@code http-check send-state} plight waits for HAProxy's own view; without it, for {@code fall} answers in a
 * row; agent checks are sources of their own. Each HAProxy's server is a small TCP app that holds its connections
 * open until the client closes, so that sessions through a frontend can be held and released.
 */
@Timeout(120)
class LoadBalancerFeedbackIT {
    /** httpchk + disable-on-404 + send-state, as README's snippet (packaging/examples/haproxy-httpchk.cfg). */
    static final String SEND_STATE = Haproxy.HEAD + String.join("\n",
            "frontend fe",
            "    mode tcp",
            "    bind 127.0.0.1:@FE@",
            "    default_backend be",
            "backend be",
            "    mode tcp",
            "    option httpchk GET /",
            "    http-check disable-on-404",
            "    http-check send-state",
            "    server app 127.0.0.1:@APP@ check port @PROBE@ inter 100ms fall 2 rise 2 @SOURCE@",
            "");

    static Path haproxyExe;

    @TempDir
    Path dir;

    private PlightNode node;
    private final List<Haproxy> haproxies = new ArrayList<>();
    private HoldingApp app;

    @BeforeAll
    static void haproxyInstalled() {
        assumeTrue(Haproxy.executable().isPresent() || "true".equalsIgnoreCase(System.getenv("CI")),
                "haproxy is not installed (apt-get install haproxy)");
        haproxyExe = Haproxy.executable().orElseThrow(() -> new AssertionError("CI=true and haproxy is not installed"));
    }

    @BeforeEach
    void up() throws Exception {
        node = new PlightNode(dir);
        node.start();
        app = new HoldingApp();
    }

    @AfterEach
    void down() throws Exception {
        try {
            for (Haproxy h : haproxies) h.close();
        } finally {
            try {
                app.close();
            } finally {
                node.cleanUp();
            }
        }
    }

    private Haproxy haproxy(String name, String config, int fe, String source) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Haproxy h = new Haproxy(haproxyExe, d, config.replace("@FE@", Integer.toString(fe)).replace("@APP@", Integer.toString(app.port()))
                .replace("@PROBE@", Integer.toString(node.port)).replace("@AGENT@", Integer.toString(node.agentPort))
                .replace("@SOURCE@", source));
        haproxies.add(h);
        h.awaitSocket(Haproxy.START);
        return h;
    }

    // --- --wait with send-state: HAProxy's own view ----------------------------------------------------------

    @Test
    void disableOfflineEnableWithWaitReturnOnlyOnceHaproxyShowsNolbDownUp() throws Exception {
        Haproxy h = haproxy("lb1", SEND_STATE, Ports.free(), "");
        awaitServer(h, "be", s -> "UP".equals(s.status()), Haproxy.START, "be/app UP");

        Processes.Result r = node.plight("disable", "--reason", "LoadBalancerFeedbackIT", "--wait=1s", "--json");
        Haproxy.Server s = h.server("be", "app");
        assertEquals(0, r.exit(), () -> r + "\nHAProxy: " + s + "\n" + h.output());
        assertEquals("NOLB", s.status(), "HAProxy shows the server NOLB once --wait returned: " + s);
        Map<String, Object> source = onlyConfirmed(r);
        assertEquals("haproxy", source.get("kind"), r::toString);
        Map<?, ?> lb = (Map<?, ?>) source.get("lb");
        assertEquals("NOLB", lb.get("state"), r::toString);
        assertEquals("be/app", lb.get("name"), r::toString);
        // Served at least once before the view that confirmed it: HAProxy's view came from plight's 404.
        assertTrue(((Number) source.get("streak")).longValue() >= 2, r::toString);

        Processes.Result offline = node.plight("offline", "--wait=1s", "--json");
        Haproxy.Server s2 = h.server("be", "app");
        assertEquals(0, offline.exit(), () -> offline + "\nHAProxy: " + s2);
        assertEquals("DOWN", s2.status(), s2::toString);

        Processes.Result enable = node.plight("enable", "--wait=1s", "--json");
        Haproxy.Server s3 = h.server("be", "app");
        assertEquals(0, enable.exit(), () -> enable + "\nHAProxy: " + s3);
        assertEquals("UP", s3.status(), s3::toString);

        // Not on a terminal: only the summary, naming the load balancer.
        Processes.Result plain = node.plight("disable", "--wait=1s");
        assertEquals(0, plain.exit(), plain::toString);
        assertTrue(plain.out().startsWith("'disabled' confirmed by 1 probe source(s) in ") && plain.out().contains("(haproxy be/app"),
                plain::toString);
        assertEquals(1, plain.out().lines().count(), plain::toString);

        // stats shows the LB's view per source, in text and JSON.
        Processes.Result stats = node.plight("stats");
        assertTrue(stats.out().contains("haproxy") && stats.out().contains("LB NOLB be/app"), stats::toString);
        Processes.Result statsJson = node.plight("stats", "--json");
        assertTrue(statsJson.out().contains("\"kind\":\"haproxy\"") && statsJson.out().contains("\"name\":\"be/app\""), statsJson::toString);
    }

    @Test
    void aLoadBalancerStoppedMidWaitIsNamedAtTheTimeout() throws Exception {
        // Two HAProxy instances, told apart by their source addresses; the second checks slowly so that it cannot
        // confirm between the change and its stop.
        haproxy("lb1", SEND_STATE, Ports.free(), "source 127.0.0.2");
        Haproxy slow = haproxy("lb2", SEND_STATE.replace("inter 100ms", "inter 3s"), Ports.free(), "source 127.0.0.3");
        awaitSource("127.0.0.2");
        awaitSource("127.0.0.3");

        CompletableFuture<Processes.Result> waiting = CompletableFuture.supplyAsync(() -> plight("disable", "--wait=2s"));
        Path marker = node.marker("disabled");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(marker) && System.nanoTime() - deadline < 0) Thread.sleep(10);
        slow.close();

        Processes.Result r = waiting.get();
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("timed out after") && r.err().contains("127.0.0.3 (haproxy be/app"), r::toString);
        assertTrue(!r.err().contains("127.0.0.2 (haproxy"), () -> "the running LB confirmed: " + r);
        assertTrue(r.err().contains("1 confirmed"), r::toString);
    }

    // --- without send-state: fall; agent checks --------------------------------------------------------------

    @Test
    void plainHttpchkConfirmsByFallAndAgentChecksAreASourceOfTheirOwn() throws Exception {
        String config = Haproxy.HEAD + String.join("\n",
                "backend be_http",
                "    option httpchk GET /",
                "    server app 127.0.0.1:@APP@ check port @PROBE@ inter 100ms fall 2 rise 2",
                "backend be_agent",
                // agent-send: plight reads the line before closing, so HAProxy sees no reset.
                "    server app 127.0.0.1:@APP@ agent-check agent-port @AGENT@ agent-inter 100ms agent-send \"hello\\n\"",
                "");
        Haproxy h = haproxy("lb1", config, Ports.free(), "");
        awaitServer(h, "be_agent", s -> "L7OK".equals(s.stat().get("agent_status")), Haproxy.START, "agent answered");
        awaitServer(h, "be_http", s -> "UP".equals(s.status()), Haproxy.START, "be_http/app UP");

        Processes.Result r = node.plight("disable", "--wait=5s", "--fall=3", "--json");
        assertEquals(0, r.exit(), r::toString);
        List<Map<String, Object>> confirmed = confirmed(r);
        assertEquals(2, confirmed.size(), r::toString);
        Map<String, Object> http = confirmed.stream().filter(c -> !"agent".equals(c.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> agent = confirmed.stream().filter(c -> "agent".equals(c.get("kind"))).findFirst().orElseThrow();
        assertNull(http.get("lb"), "no send-state, no view: " + r);
        assertTrue(((Number) http.get("streak")).longValue() >= 3, "the fall rule: 3 answers in a row: " + r);
        assertTrue(((Number) agent.get("streak")).longValue() >= 3, r::toString);
        assertEquals("disabled", agent.get("state"), r::toString);
        awaitServer(h, "be_agent", s -> s.drain(), Duration.ofSeconds(5), "be_agent/app in DRAIN after 'up drain'");
        String log = h.logText();
        assertTrue(!log.contains("Socket error") && !log.contains("reset"), () -> "HAProxy saw a reset from the agent port\n" + h.output());
    }

    // --- README's HAProxy examples, as shipped under packaging/examples ------------------------------------------

    /** An example with its addresses, ports and intervals made this test's: the rest exactly as shipped. */
    private String example(String name, int fe) throws IOException {
        String text = Files.readString(Path.of(System.getProperty("plight.root", "..")).resolve("packaging/examples").resolve(name));
        return text.replaceAll("stats socket \\S+", "stats socket @SOCKET@").replace("bind :80", "bind 127.0.0.1:" + fe)
                .replace("10.0.0.11:8080", "127.0.0.1:@APP@").replace("10.0.0.12:8080", "127.0.0.1:@APP@")
                .replace("port 10101", "port @PROBE@").replace("agent-port 10102", "agent-port @AGENT@")
                .replace("inter 2s", "inter 100ms");
    }

    @Test
    void theHttpchkExampleDrainsBothServersAndDisableWaitsForIt() throws Exception {
        Haproxy h = haproxy("example", example("haproxy-httpchk.cfg", Ports.free()), 0, "");
        for (String srv : List.of("web1", "web2")) awaitServer(h, "be_web", srv, s -> "UP".equals(s.status()), Haproxy.START, srv + " UP");
        Processes.Result r = node.plight("disable", "--wait=2s", "--json");
        assertEquals(0, r.exit(), r::toString);
        for (String srv : List.of("web1", "web2")) assertEquals("NOLB", h.server("be_web", srv).status(), srv);
    }

    @Test
    void theAgentExampleDrainsBothServersWithAndWithoutAgentSend() throws Exception {
        Haproxy h = haproxy("example", example("haproxy-agent.cfg", Ports.free()), 0, "");
        for (String srv : List.of("web1", "web2")) {
            awaitServer(h, "be_web", srv, s -> "L7OK".equals(s.stat().get("agent_status")), Haproxy.START, srv + " agent answered");
        }
        Processes.Result r = node.plight("disable", "--wait=2s", "--json");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("agent", onlyConfirmed(r).get("kind"), r::toString);
        for (String srv : List.of("web1", "web2")) {
            awaitServer(h, "be_web", srv, Haproxy.Server::drain, Duration.ofSeconds(5), srv + " in DRAIN");
        }
        assertTrue(!h.logText().contains("reset"), h::output);
    }

    // --- wait drained ----------------------------------------------------------------------------------------

    @Test
    void waitDrainedFollowsConnectionsThroughAFrontendAndTheLoadBalancersScur() throws Exception {
        int fe = Ports.free();
        Haproxy h = haproxy("lb1", SEND_STATE, fe, "");
        awaitServer(h, "be", s -> "UP".equals(s.status()), Haproxy.START, "be/app UP");
        String port = Integer.toString(app.port());

        try (Socket held = new Socket("127.0.0.1", fe)) {
            app.awaitOpen(1);
            awaitServer(h, "be", s -> "1".equals(s.stat().get("scur")), Duration.ofSeconds(5), "one session to be/app");
            Processes.Result stillHeld = node.plight("wait", "drained", "--port", port, "--timeout=300ms");
            assertEquals(1, stillHeld.exit(), stillHeld::toString);
            assertTrue(stillHeld.err().contains("port " + port + ": 1 established"), stillHeld::toString);
            Processes.Result lbHeld = node.plight("wait", "drained", "--lb", "--timeout=500ms");
            assertEquals(1, lbHeld.exit(), lbHeld::toString);
            assertTrue(lbHeld.err().contains("be/app") && lbHeld.err().contains(": 1 sessions (scur)"), lbHeld::toString);

            CompletableFuture<Processes.Result> ports = CompletableFuture.supplyAsync(() -> plight("wait", "drained", "--port", port, "--timeout=20s"));
            CompletableFuture<Processes.Result> lb = CompletableFuture.supplyAsync(() -> plight("wait", "drained", "--lb", "--timeout=20s"));
            held.close();
            Processes.Result p = ports.get();
            assertEquals(0, p.exit(), p::toString);
            Processes.Result l = lb.get();
            assertEquals(0, l.exit(), l::toString);
            assertEquals("0", h.server("be", "app").stat().get("scur"));
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private Processes.Result plight(String... args) {
        try {
            return node.plight(args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitSource(String address) throws Exception {
        long deadline = System.nanoTime() + Haproxy.START.toNanos();
        while (true) {
            Processes.Result stats = node.plight("stats");
            if (stats.out().contains("  " + address + "  ")) return;
            if (System.nanoTime() - deadline > 0) throw new AssertionError("no probe from " + address + ": " + stats);
            Thread.sleep(100);
        }
    }

    private static Haproxy.Server awaitServer(Haproxy h, String backend, Predicate<Haproxy.Server> condition, Duration timeout, String what)
            throws Exception {
        return awaitServer(h, backend, "app", condition, timeout, what);
    }

    private static Haproxy.Server awaitServer(Haproxy h, String backend, String server, Predicate<Haproxy.Server> condition,
                                              Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Haproxy.Server s = h.server(backend, server);
            if (condition.test(s)) return s;
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what + "; last: " + s + "\n" + h.output());
            Thread.sleep(20);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> confirmed(Processes.Result r) {
        Map<String, Object> json = JsonReader.object(r.out());
        return (List<Map<String, Object>>) ((Map<String, Object>) json.get("wait")).get("confirmed");
    }

    private static Map<String, Object> onlyConfirmed(Processes.Result r) {
        List<Map<String, Object>> c = confirmed(r);
        assertEquals(1, c.size(), r::toString);
        return c.get(0);
    }

    /** A TCP server that keeps each connection until the client closes it, and answers a health request if one comes. */
    static final class HoldingApp implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        HoldingApp() throws IOException {
            acceptor = new Thread(this::accept, "holding-app");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread t = new Thread(() -> hold(s), "holding-app-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void hold(Socket s) {
            try (s; InputStream in = s.getInputStream()) {
                while (in.read() >= 0) {
                    // discard until the peer closes
                }
            } catch (IOException ignored) {
                // closed
            } finally {
                open.remove(s);
            }
        }

        void awaitOpen(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (open.size() < n) {
                if (System.nanoTime() - deadline > 0) throw new AssertionError("the app has " + open.size() + " connections, not " + n);
                Thread.sleep(10);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) s.close();
        }
    }
}
