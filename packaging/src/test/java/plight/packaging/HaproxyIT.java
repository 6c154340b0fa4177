package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Ports;
import plight.testkit.Processes;
import plight.testkit.RawHttp;

/**
 * plight behind a real HAProxy: the daemon ({@code bin/plight start}), a small app server, and {@code haproxy -db}
 * balancing to the app, all on 127.0.0.1. Backend {@code be_http} health-checks the app's server with
 * {@code option httpchk GET /} against plight's probe port; backend {@code be_agent} has the same app as its server
 * with only an {@code agent-check} against plight's agent port. What HAProxy makes of each {@code plight} verb is
 * read from its admin stats socket, and traffic goes through its frontends.
 *
 * <p>Skipped when haproxy is not installed, except in CI ({@code CI=true}), where {@code .ci/run} installs it and
 * its absence is a failure.
 */
@Timeout(180)
class HaproxyIT {
    /** HAProxy checks every 100 ms and acts on 2 answers; this is the bound for it to follow a state change. */
    static final Duration FOLLOW = Duration.ofSeconds(5);
    static final String CONFIG = Haproxy.HEAD + String.join("\n",
            "frontend fe_http",
            "    mode http",
            "    bind 127.0.0.1:@FE_HTTP@",
            "    default_backend be_http",
            "frontend fe_agent",
            "    mode http",
            "    bind 127.0.0.1:@FE_AGENT@",
            "    default_backend be_agent",
            "backend be_http",
            "    mode http",
            "    option httpchk GET /",
            "    option log-health-checks",
            "    server app 127.0.0.1:@APP@ check port @PROBE@ inter 100ms fall 2 rise 2",
            "backend be_agent",
            "    mode http",
            "    option log-health-checks",
            // agent-send: HAProxy sends a line first; plight must read it before closing, or the close is a reset.
            "    server app 127.0.0.1:@APP@ agent-check agent-port @AGENT@ agent-inter 100ms agent-send \"hello\\n\"",
            "");

    static Path haproxyExe;

    @TempDir
    Path dir;

    private PlightNode node;
    private HttpServer app;
    private final AtomicInteger appHits = new AtomicInteger();
    private Haproxy haproxy;
    private int feHttp;
    private int feAgent;

    @BeforeAll
    static void haproxyInstalled() {
        Optional<Path> exe = Haproxy.executable();
        String why = "haproxy is not installed (not in /usr/sbin, /usr/local/sbin or on the PATH): "
                + "HaproxyIT needs the Debian package 'haproxy' (apt-get install haproxy; .ci/run installs it)";
        if (exe.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + "; CI=true, so this fails instead of skipping");
        }
        assumeTrue(exe.isPresent(), why);
        haproxyExe = exe.get();
    }

    @BeforeEach
    void up() throws Exception {
        node = new PlightNode(dir);
        node.start();

        app = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        app.createContext("/", exchange -> {
            appHits.incrementAndGet();
            byte[] body = "app\n".getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().add("X-App", "yes");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        app.start();

        feHttp = Ports.free();
        feAgent = Ports.free();
        haproxy = new Haproxy(haproxyExe, dir, CONFIG
                .replace("@FE_HTTP@", Integer.toString(feHttp)).replace("@FE_AGENT@", Integer.toString(feAgent))
                .replace("@APP@", Integer.toString(app.getAddress().getPort()))
                .replace("@PROBE@", Integer.toString(node.port)).replace("@AGENT@", Integer.toString(node.agentPort)));
        haproxy.awaitSocket(Haproxy.START);
    }

    @AfterEach
    void down() throws Exception {
        try {
            if (haproxy != null) haproxy.close();
        } finally {
            try {
                if (app != null) app.stop(0);
            } finally {
                if (node != null) node.cleanUp();
            }
        }
    }

    // --- the tests -------------------------------------------------------------------------------------------

    @Test
    void theHttpCheckTakesTheServerOutOfRotationOnDisableAndBackOnEnable() throws Exception {
        Haproxy.Server s = awaitServer("be_http", up(200), Haproxy.START, "be_http/app UP after a passed check (plight answered 200)");
        assertTrue(s.stat().get("last_chk").contains("OK") || s.stat().get("check_desc").contains("passed"), s::toString);
        assertFromApp(get(feHttp), "with the node enabled");

        // disable: plight answers 404, the check fails twice, HAProxy marks the server DOWN and has nothing to send to.
        assertExit(0, node.plight("disable", "--reason", "HaproxyIT"));
        long t0 = System.nanoTime();
        s = awaitServer("be_http", down("404"), FOLLOW, "be_http/app DOWN after 'plight disable' (check answered 404)");
        long disableToDown = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(s.stat().get("last_chk").contains("node is unavailable"), () -> "HAProxy saw plight's message: " + haproxy.output());
        int hits = appHits.get();
        assertFromHaproxy503(get(feHttp), "with the node disabled");
        assertEquals(hits, appHits.get(), "no request reaches the app while its server is DOWN");

        // offline: 503 from plight, still DOWN, now for that code.
        assertExit(0, node.plight("offline"));
        awaitServer("be_http", down("503"), FOLLOW, "be_http/app DOWN with check code 503 after 'plight offline'");
        assertFromHaproxy503(get(feHttp), "with the node offline");

        // enable: 200 again, two passed checks (rise 2), UP, traffic flows.
        assertExit(0, node.plight("enable"));
        t0 = System.nanoTime();
        awaitServer("be_http", up(200), FOLLOW, "be_http/app UP again after 'plight enable'");
        long enableToUp = (System.nanoTime() - t0) / 1_000_000;
        assertFromApp(get(feHttp), "with the node enabled again");

        assertChecksFailedOnlyOnPlightsAnswers();
        System.out.printf(Locale.ROOT, "HaproxyIT: httpchk: disable -> DOWN in %d ms, enable -> UP in %d ms%n", disableToDown, enableToUp);
    }

    @Test
    void theAgentCheckDrainsOnDisableDownsOnOfflineAndReadiesOnEnable() throws Exception {
        Haproxy.Server s = awaitServer("be_agent", s1 -> running(s1) && !s1.drain() && "L7OK".equals(s1.stat().get("agent_status")),
                Haproxy.START, "be_agent/app running and ready after the agent answered");
        assertEquals("up ready\n", node.agent(), "the agent line HAProxy reads with the node enabled");
        assertFromApp(get(feAgent), "with the node enabled");

        // disable: 'up drain' -> the server stays UP but in DRAIN: no new traffic, and it is the only server.
        assertExit(0, node.plight("disable"));
        long t0 = System.nanoTime();
        s = awaitServer("be_agent", s1 -> running(s1) && s1.drain() && s1.status().startsWith("DRAIN"), FOLLOW,
                "be_agent/app in DRAIN after 'plight disable' (agent line 'up drain')");
        long disableToDrain = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("up drain\n", node.agent());
        int hits = appHits.get();
        assertFromHaproxy503(get(feAgent), "with the only server draining");
        assertEquals(hits, appHits.get(), "no new request reaches a draining server");

        // offline: 'down # node is offline' -> DOWN.
        assertExit(0, node.plight("offline"));
        t0 = System.nanoTime();
        s = awaitServer("be_agent", s1 -> s1.opState() == Haproxy.OP_STOPPED && s1.status().startsWith("DOWN"), FOLLOW,
                "be_agent/app DOWN after 'plight offline' (agent line 'down # node is offline')");
        long offlineToDown = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("down # node is offline\n", node.agent());
        assertFromHaproxy503(get(feAgent), "with the node offline");

        // enable: 'up ready' -> running, drain cleared, traffic flows.
        assertExit(0, node.plight("enable"));
        t0 = System.nanoTime();
        awaitServer("be_agent", s1 -> running(s1) && !s1.drain() && !s1.status().startsWith("DOWN") && !s1.status().startsWith("DRAIN"),
                FOLLOW, "be_agent/app UP and READY after 'plight enable' (agent line 'up ready')");
        long enableToReady = (System.nanoTime() - t0) / 1_000_000;
        assertFromApp(get(feAgent), "with the node enabled again");

        assertChecksFailedOnlyOnPlightsAnswers();
        System.out.printf(Locale.ROOT, "HaproxyIT: agent: disable -> DRAIN in %d ms, offline -> DOWN in %d ms, enable -> READY in %d ms%n",
                disableToDrain, offlineToDown, enableToReady);
    }

    // --- HAProxy's view --------------------------------------------------------------------------------------

    private static boolean running(Haproxy.Server s) {
        return s.opState() == Haproxy.OP_RUNNING;
    }

    /** UP (not "UP 1/2", which is going down), and its last check got {@code code} from plight. */
    private static Predicate<Haproxy.Server> up(int code) {
        return s -> "UP".equals(s.status()) && running(s) && "L7OK".equals(s.stat().get("check_status"))
                && Integer.toString(code).equals(s.stat().get("check_code"));
    }

    /** DOWN, and its last check was failed by plight's answer {@code code} (not a timeout or a connection error). */
    private static Predicate<Haproxy.Server> down(String code) {
        return s -> "DOWN".equals(s.status()) && s.opState() == Haproxy.OP_STOPPED && "L7STS".equals(s.stat().get("check_status"))
                && code.equals(s.stat().get("check_code"));
    }

    /** Polls the stats socket until {@code app} of {@code backend} satisfies {@code condition}, within {@code timeout}. */
    private Haproxy.Server awaitServer(String backend, Predicate<Haproxy.Server> condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Haproxy.Server last = null;
        while (true) {
            last = haproxy.server(backend, "app");
            if (condition.test(last)) return last;
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + "\nlast seen: " + last
                        + "\nplight probe: " + probeOrError() + "\n" + haproxy.output());
            }
            Thread.sleep(20);
        }
    }

    private String probeOrError() {
        try {
            RawHttp.Response r = node.probe();
            return r.code() + " " + r.reason();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Every failed health or agent check in HAProxy's log is a verdict on what plight answered (a 404 or 503 status,
     * or the agent's {@code down}), never a timeout, a refused or reset connection or an empty answer.
     */
    private void assertChecksFailedOnlyOnPlightsAnswers() throws IOException {
        String log = haproxy.logText();
        List<String> failed = log.lines().filter(l -> l.contains("check for server") && l.contains("failed")).toList();
        for (String line : failed) {
            boolean verdict = line.contains("Health check")
                    ? line.contains("Layer7 wrong status") && (line.contains("code: 404") || line.contains("code: 503"))
                    : line.contains("via agent : down");
            assertTrue(verdict, () -> "a check failed on something other than plight's answer: " + line + "\n" + haproxy.output());
        }
        assertTrue(log.lines().noneMatch(l -> l.contains("Socket error") || l.contains("timeout") || l.contains("Connection refused")),
                () -> "HAProxy logged a connection problem with plight\n" + haproxy.output());
    }

    // --- traffic through a frontend --------------------------------------------------------------------------

    record Reply(int code, String head, String body) {
    }

    /** {@code GET /} through HAProxy's frontend on {@code port}, one connection, bounded by 10 s. */
    private static Reply get(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = raw.indexOf("\r\n\r\n");
            if (!raw.startsWith("HTTP/1.") || end < 0) throw new IOException("malformed response through HAProxy: " + raw);
            return new Reply(Integer.parseInt(raw.substring(9, 12)), raw.substring(0, end), raw.substring(end + 4));
        }
    }

    private void assertFromApp(Reply r, String when) {
        assertEquals(200, r.code(), () -> when + ", the frontend answers from the app: " + r + "\n" + haproxy.output());
        assertEquals("app\n", r.body(), () -> when + ": " + r);
        assertTrue(r.head().toLowerCase(Locale.ROOT).contains("x-app: yes"), () -> when + ": " + r);
    }

    private void assertFromHaproxy503(Reply r, String when) {
        assertEquals(503, r.code(), () -> when + ", HAProxy has no server to send to: " + r + "\n" + haproxy.output());
        assertTrue(r.body().contains("No server is available"), () -> when + ", HAProxy's own 503 page: " + r);
        assertTrue(!r.head().toLowerCase(Locale.ROOT).contains("x-app"), () -> when + ", not from the app: " + r);
    }

    private static void assertExit(int expected, Processes.Result r) {
        assertEquals(expected, r.exit(), r::toString);
    }
}
