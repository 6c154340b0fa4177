package plight.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.config.AgentSettings;
import plight.config.Config;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.state.State;

/** HAProxy's agent-check port: on connect, the current state's agent line and a newline, then the close. */
@Timeout(30)
class AgentServerTest {
    static final State ENABLED = new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0);
    static final State DISABLED = new State("disabled", Path.of("/nonexistent/d"), 404, "node is unavailable", "disable", "up drain", Map.of(), 1);
    static final State OFFLINE = new State("offline", Path.of("/nonexistent/o"), 503, "node is offline", "offline",
            "down # node is offline", Map.of(), 2);

    @TempDir
    Path dir;

    /** An agent port on an ephemeral port of 127.0.0.1 answering {@code current}, started. */
    static AgentServer started(Supplier<State> current, Duration drainTimeout) throws IOException {
        AgentServer agent = new AgentServer(new AgentSettings(List.of("127.0.0.1"), 0), current, drainTimeout);
        try {
            agent.start();
            return agent;
        } catch (IOException e) {
            agent.close();
            throw e;
        }
    }

    /** A client connected to {@code port} on 127.0.0.1 whose reads fail after {@code readTimeoutMillis} of silence. */
    static Socket connected(int port, int readTimeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(readTimeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Everything the server sends before it closes; fails if it does not close within the socket timeout. */
    static String readAll(int port, byte[] send) throws IOException {
        try (Socket s = connected(port, 3000)) {
            if (send.length > 0) s.getOutputStream().write(send);
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[256];
            try {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    got.write(chunk, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // Closed with our bytes unread: a reset after the line. What was read before it counts.
                if (got.size() == 0) throw reset;
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersTheCurrentStatesLineAndCloses() throws Exception {
        AtomicReference<State> current = new AtomicReference<>(ENABLED);
        try (AgentServer agent = started(current::get, AgentServer.DRAIN_TIMEOUT)) {
            int port = agent.ports().get(0);
            assertTrue(port > 0);
            assertEquals("up ready\n", readAll(port, new byte[0]));
            current.set(DISABLED);
            assertEquals("up drain\n", readAll(port, new byte[0]));
            current.set(OFFLINE);
            assertEquals("down # node is offline\n", readAll(port, new byte[0]));
            current.set(new State("weight", Path.of("/nonexistent/w"), 200, "half", "weight", "up 50%", Map.of(), 3));
            assertEquals("up 50%\n", readAll(port, new byte[0]));
            current.set(new State("uni", Path.of("/nonexistent/u"), 503, "ünï", "uni", "down # ünïcode", Map.of(), 3));
            assertEquals("down # ünïcode\n", readAll(port, new byte[0]));
        }
    }

    @Test
    void whatTheClientSendsChangesNothing() throws Exception {
        try (AgentServer agent = started(() -> DISABLED, AgentServer.DRAIN_TIMEOUT)) {
            int port = agent.ports().get(0);
            assertEquals("up drain\n", readAll(port, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            byte[] garbage = new byte[100_000];
            new java.util.Random(3).nextBytes(garbage);
            assertEquals("up drain\n", readAll(port, garbage));
            assertEquals("up drain\n", readAll(port, new byte[0]), "still answering");
        }
    }

    /**
     * What a check that sends first reads, as HAProxy's {@code agent-send}: the line, then a clean end of input.
     * A reset (the server closing with the client's bytes unread) makes HAProxy count the check as failed.
     */
    static String sendThenRead(int port, byte[] send) throws IOException {
        try (Socket s = connected(port, 5000)) {
            s.getOutputStream().write(send);
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aCheckThatSendsALineFirstGetsTheLineAndACleanCloseNeverAReset() throws Exception {
        try (AgentServer agent = started(() -> DISABLED, Duration.ofSeconds(5))) {
            int port = agent.ports().get(0);
            for (int i = 0; i < 50; i++) {
                assertEquals("up drain\n", sendThenRead(port, "hello\n".getBytes(StandardCharsets.US_ASCII)), "try " + i);
            }
        }
    }

    /** The check's line ends the drain: the server closes then, not at the (here far-away) timeout. */
    @Test
    void aLineFromTheCheckEndsTheConnection() throws Exception {
        try (AgentServer agent = started(() -> ENABLED, Duration.ofMinutes(5))) {
            try (Socket s = connected(agent.ports().get(0), 5000)) {
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("up ready\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                awaitClosedByServer(s);
            }
        }
    }

    @Test
    void aCheckThatSendsTwoKibibytesIsAnsweredAndClosed() throws Exception {
        try (AgentServer agent = started(() -> OFFLINE, Duration.ofMinutes(5))) {
            int port = agent.ports().get(0);
            byte[] noNewline = "x".repeat(2048).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 20; i++) {
                assertEquals("down # node is offline\n", sendThenRead(port, noNewline), "try " + i);
            }
            try (Socket s = connected(port, 5000)) {
                s.getOutputStream().write(noNewline);
                assertEquals("down # node is offline\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                awaitClosedByServer(s);
            }
        }
    }

    /** A client that sends nothing and never closes is not held: the line at once, the close after the timeout. */
    @Test
    void aSilentCheckThatKeepsTheConnectionOpenIsClosedAfterTheTimeout() throws Exception {
        try (AgentServer agent = started(() -> ENABLED, Duration.ofMillis(50))) {
            try (Socket s = connected(agent.ports().get(0), 20_000)) {
                InputStream in = s.getInputStream();
                assertEquals("up ready\n", new String(in.readNBytes(9), StandardCharsets.UTF_8), "answered without waiting for input");
                assertEquals(-1, in.read(), "end of input");
                awaitClosedByServer(s);
            }
        }
    }

    /**
     * Waits until the server has closed its end completely, which a client that keeps its own end open only
     * learns by writing: a byte sent to a closed socket is answered with a reset, and the next write fails.
     * One byte every 20 ms stays far below the 1 KiB that would end the drain by itself.
     */
    private static void awaitClosedByServer(Socket s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
            } catch (IOException closed) {
                return;
            }
            if (System.nanoTime() - deadline > 0) throw new AssertionError("the server still holds the connection after 10s");
            Thread.sleep(20);
        }
    }

    @Test
    void manyChecksAtOnceAreAllAnswered() throws Exception {
        try (AgentServer agent = started(() -> ENABLED, AgentServer.DRAIN_TIMEOUT)) {
            int port = agent.ports().get(0);
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    answers.add(pool.submit(() -> readAll(port, new byte[0])));
                }
                for (Future<String> f : answers) {
                    assertEquals("up ready\n", f.get(10, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void listensOnEveryHostAndStopsAtClose() throws Exception {
        boolean ipv6 = hasLoopback6();
        List<String> hosts = ipv6 ? List.of("127.0.0.1", "::1") : List.of("127.0.0.1");
        int port;
        try (AgentServer agent = new AgentServer(new AgentSettings(hosts, 0), () -> OFFLINE)) {
            agent.start();
            assertEquals(hosts.size(), agent.ports().size());
            port = agent.ports().get(0);
            assertEquals("down # node is offline\n", readAll(port, new byte[0]));
            if (ipv6) {
                try (Socket s = new Socket(InetAddress.getByName("::1"), agent.ports().get(1))) {
                    s.setSoTimeout(3000);
                    assertEquals("down # node is offline\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThrows(ConnectException.class, () -> readAll(port, new byte[0]), "closed: nothing listens any more");
    }

    @Test
    void aPortThatIsTakenIsAnErrorNamingIt() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AgentServer agent = new AgentServer(new AgentSettings(List.of("127.0.0.1"), taken.getLocalPort()), () -> ENABLED);
            IOException e = assertThrows(IOException.class, agent::start);
            assertTrue(e.getMessage().contains("agent port " + taken.getLocalPort()), e.getMessage());
            agent.close();
        }
    }

    /** SPEC's defaults for states without an {@code agent} key, as a config file gets them. */
    @Test
    void defaultAgentLinesFromTheConfig() throws Exception {
        String conf = String.join("\n",
                "[priorities]",
                "states = enabled,degraded,disabled,moved,offline,explicit",
                "[enabled]", "code = 200", "message = OK",
                "[degraded]", "file = /tmp/x/node_degraded", "code = 203", "message = degraded",
                "[disabled]", "file = /tmp/x/node_disabled", "code = 404", "message = node is unavailable",
                "[moved]", "file = /tmp/x/node_moved", "code = 301", "message = moved away",
                "[offline]", "file = /tmp/x/node_offline", "code = 503", "message = node is offline",
                "[explicit]", "file = /tmp/x/node_explicit", "code = 503", "message = x", "agent = maint # planned",
                "");
        Config config = new ConfigLoader(Environment.current()).parse(dir.resolve("agent.conf"), conf);
        Map<String, String> expected = Map.of("enabled", "up ready", "degraded", "up ready", "disabled", "up drain",
                "moved", "down # moved away", "offline", "down # node is offline", "explicit", "maint # planned");
        for (State s : config.states().states()) {
            assertEquals(expected.get(s.name()), s.agentLine(), s.name());
        }
        assertEquals(expected.size(), config.states().states().size());
    }

    private static boolean hasLoopback6() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
