package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.control.Reply;
import plight.control.server.ControlWire;
import plight.testkit.Await;
import plight.testkit.Processes;
import plight.testkit.RawHttp;

/** The daemon's real control actions behind the real socket: changes are durable, served, then acknowledged. */
@Timeout(60)
class DaemonControlTest {
    @TempDir
    Path dir;

    private LiveNode node;

    @BeforeEach
    void start() throws Exception {
        node = LiveNode.start(dir);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    static long ownUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    static String self() throws IOException {
        return System.getProperty("user.name") + " (uid " + ownUid() + ", pid " + ProcessHandle.current().pid() + ")";
    }

    private static void assertOk(Reply r) {
        assertTrue(r.isOk(), () -> "expected OK, got " + r.render());
    }

    @Test
    void aChangeIsDurableAndServedWhenItIsAcknowledged() throws Exception {
        assertEquals(200, node.probeOnce().code());
        try (RawHttp keepAlive = new RawHttp(node.port()); ControlWire w = node.connect()) {
            assertEquals(200, keepAlive.get().code());
            Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Reply r = w.call("set disabled ttl=2h reason=kernel upgrade");
            // The acknowledgement is out: the very next probe, on an open connection or a new one, sees the change.
            RawHttp.Response next = keepAlive.get();
            assertEquals(404, next.code());
            assertEquals("node is unavailable", next.reason());
            assertEquals("disabled", next.state());
            assertEquals(404, node.probeOnce().code());

            assertOk(r);
            assertEquals("disabled", r.get("state"));
            assertEquals("404", r.get("code"));
            assertEquals("node is unavailable", r.get("message"));
            assertEquals("no", r.get("default"));
            assertEquals(self(), r.get("by"));
            assertEquals("kernel upgrade", r.get("reason"));
            Instant since = Instant.parse(r.get("since"));
            assertFalse(since.isBefore(before) || since.isAfter(Instant.now()), "since " + since);
            assertEquals(Duration.ofHours(2), Duration.between(since, Instant.parse(r.get("expires"))));

            // On disk before the answer: the marker with the same metadata.
            assertEquals(List.of("since=" + r.get("since"), "by=" + self(), "reason=kernel upgrade", "expires=" + r.get("expires")),
                    Files.readAllLines(node.marker("disabled")));
            assertEquals(r.fields(), w.call("status").fields(), "status shows what set answered");
        }
    }

    @Test
    void verbsNamesAndTheDefaultState() throws Exception {
        try (ControlWire w = node.connect()) {
            assertEquals("disabled", w.call("set disable").get("state"));
            assertEquals("offline", w.call("set offline reason=cable").get("state"));
            assertTrue(Files.exists(node.marker("offline")));
            assertFalse(Files.exists(node.marker("disabled")), "one marker at a time");
            assertEquals(503, node.probeOnce().code());

            Reply back = w.call("set enable reason=done");
            assertOk(back);
            assertEquals("enabled", back.get("state"));
            assertEquals("yes", back.get("default"));
            assertFalse(Files.exists(node.marker("offline")));
            assertEquals(200, node.probeOnce().code());
            Reply status = w.call("status");
            assertEquals(List.of("state", "code", "message", "default"), status.fields().stream().map(e -> e.getKey()).toList(),
                    "the default state has no since/by/reason: " + status.render());

            assertEquals("enabled", w.call("set enabled").get("state"), "a state's name works as well as its verb");
        }
    }

    @Test
    void unknownStatesAndMisplacedTtlsAreUsageErrorsAndChangeNothing() throws Exception {
        try (ControlWire w = node.connect()) {
            assertOk(w.call("set disabled reason=keep"));
            Reply unknown = w.call("set maintenance");
            assertEquals("ERR usage unknown state 'maintenance' (valid: enabled, disabled, offline)\n\n", unknown.render());
            Reply ttlOnDefault = w.call("set enable ttl=1h");
            assertEquals(Reply.USAGE, ttlOnDefault.errorKind(), ttlOnDefault::render);
            assertTrue(ttlOnDefault.errorText().contains("ttl") && ttlOnDefault.errorText().contains("'enabled'"), ttlOnDefault::render);
            Reply waitUnknown = w.call("wait maintenance timeout=1s");
            assertEquals("ERR usage unknown state 'maintenance'\n\n", waitUnknown.render());

            Reply status = w.call("status");
            assertEquals("disabled", status.get("state"));
            assertEquals("keep", status.get("reason"));
            assertEquals(404, node.probeOnce().code());
        }
    }

    /** A TTL too long to be a date is the caller's mistake: a usage error, not an internal one. */
    @Test
    void anAbsurdTtlIsAUsageError() throws Exception {
        try (ControlWire w = node.connect()) {
            Reply r = w.call("set disabled ttl=999999999999d");
            assertEquals(Reply.USAGE, r.errorKind(), r::render);
            assertEquals("enabled", w.call("status").get("state"));
        }
    }

    @Test
    void listNamesEveryStateWithItsVerbAndAgentLine() throws Exception {
        try (ControlWire w = node.connect()) {
            assertEquals(List.of(
                    "OK",
                    "state: enabled", "code: 200", "message: OK", "verb: enable", "default: yes", "agent: up ready",
                    "state: disabled", "code: 404", "message: node is unavailable", "verb: disable", "default: no", "agent: up drain",
                    "state: offline", "code: 503", "message: node is offline", "verb: offline", "default: no",
                    "agent: down # node is offline"), w.send("list\n").replyLines());
        }
    }

    @Test
    void statsCountProbesConnectionsAndSources() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, node.probeOnce().code());
        }
        try (ControlWire w = node.connect(); RawHttp open = new RawHttp(node.port())) {
            assertEquals(200, open.get().code());
            Reply stats = w.call("stats");
            assertOk(stats);
            assertEquals("4", stats.get("probes.enabled"), stats::render);
            Await.until(() -> {
                try {
                    return "1".equals(w.call("stats").get("connections"));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, Duration.ofSeconds(3), "the one open probe connection to be counted");
            List<String> sources = stats.all("source");
            assertEquals(1, sources.size(), stats::render);
            assertTrue(Pattern.matches("127\\.0\\.0\\.1 last=\\d{4}-\\d\\d-\\d\\dT\\S+Z interval_ms=\\d+ state=enabled streak=4 probes=4 kind=other",
                    sources.get(0)), sources.get(0));

            assertOk(w.call("set offline"));
            assertEquals(503, open.get().code());
            stats = w.call("stats");
            assertEquals("4", stats.get("probes.enabled"));
            assertEquals("1", stats.get("probes.offline"));
            assertTrue(stats.get("source").contains(" state=offline streak=1 probes=5"), stats::render);
        }
    }

    @Test
    void waitIsSatisfiedOnceEverySourceWasServedTheStateFallTimes() throws Exception {
        try (ControlWire w = node.connect(); ControlWire other = node.connect()) {
            assertEquals(200, node.probeOnce().code());
            assertOk(w.call("set disabled"));

            // Timed out: the one source has not been served 'disabled' yet.
            long t0 = System.nanoTime();
            Reply timedOut = w.call("wait disabled fall=2 timeout=300ms");
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Reply.TIMEOUT, timedOut.errorKind(), timedOut::render);
            assertEquals("1 probe source(s) have not confirmed 'disabled' (served 2 times in a row, or the load balancer's own view)",
                    timedOut.errorText());
            assertEquals(1, timedOut.all("lagging").size(), timedOut::render);
            assertTrue(timedOut.get("lagging").startsWith("127.0.0.1 ") && timedOut.get("lagging").contains(" state=enabled "),
                    timedOut::render);
            assertTrue(tookMs >= 280 && tookMs < 3000, "waited " + tookMs + " ms for a 300ms timeout");

            // Satisfied while waiting: the answer comes once the probes have come.
            w.send("wait disabled fall=2 timeout=10s\n");
            assertTrue(w.silentFor(Duration.ofMillis(150)), "no answer before the probes");
            assertEquals(404, node.probeOnce().code());
            assertTrue(w.silentFor(Duration.ofMillis(150)), "one probe is not fall=2");
            assertEquals(404, node.probeOnce().code());
            Reply satisfied = w.reply();
            assertOk(satisfied);
            assertEquals("disabled", satisfied.get("state"));
            assertTrue(satisfied.get("source").startsWith("127.0.0.1 ") && satisfied.get("source").contains("state=disabled streak=2"),
                    satisfied::render);

            // Already satisfied: answered at once.
            assertOk(w.call("wait disable fall=2"));

            // The state moves on while a wait is pending: the wait fails instead of waiting out its timeout.
            w.send("wait disabled fall=5 timeout=20s\n");
            assertTrue(w.silentFor(Duration.ofMillis(100)));
            assertOk(other.call("set offline"));
            Reply moved = w.reply();
            assertEquals(Reply.FAILED, moved.errorKind(), moved::render);
            assertTrue(moved.errorText().contains("'offline'"), moved::render);
        }
    }

    @Test
    void stopIsAcknowledgedThenRequested() throws Exception {
        try (ControlWire w = node.connect()) {
            assertEquals(1, node.stopRequested.getCount());
            Reply r = w.call("stop");
            assertOk(r);
            assertEquals("yes", r.get("stopping"));
            assertEquals(Long.toString(ProcessHandle.current().pid()), r.get("pid"), "the CLI waits for this process to end");
            assertTrue(node.stopRequested.await(1, TimeUnit.SECONDS));
            assertTrue(w.closedByServer());
        }
    }

    @Test
    void aHundredConcurrentClientsChangeAndReadTheState() throws Exception {
        int n = 100;
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try (ControlWire w = node.connect()) {
                    go.await();
                    String target = id % 2 == 0 ? "disabled" : "offline";
                    Reply set = w.call("set " + target + " reason=client " + id);
                    if (!set.isOk() || !target.equals(set.get("state")) || !("client " + id).equals(set.get("reason"))) {
                        problems.add(id + " set: " + set.render());
                    }
                    Reply status = w.call("status");
                    if (!status.isOk() || status.get("state") == null) problems.add(id + " status: " + status.render());
                } catch (Throwable e) {
                    problems.add(id + ": " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            assertFalse(t.isAlive(), "a client hangs");
        }
        assertEquals(List.of(), List.copyOf(problems));

        // Whoever was last, the socket, the probe port and the disk agree, and no temporary file is left.
        try (ControlWire w = node.connect()) {
            Reply status = w.call("status");
            String state = status.get("state");
            RawHttp.Response probe = node.probeOnce();
            assertEquals(state, probe.state());
            assertTrue(Files.exists(node.marker(state)));
            try (var files = Files.list(node.marker(state).getParent())) {
                assertEquals(List.of(node.marker(state).getFileName().toString()), files.map(p -> p.getFileName().toString())
                        .filter(f -> !f.equals(".plight.lock")).toList(), "one marker and no temporary file");
            }
            assertTrue(Files.readString(node.marker(state)).contains("reason=" + status.get("reason")));
        }
    }

    /** A change that cannot be made durable is refused with the operating system's reason; the old state stays. */
    @Test
    void aFailedChangeKeepsServingTheOldState() throws Exception {
        try (ControlWire w = node.connect()) {
            assertOk(w.call("set disabled reason=before"));
            Path stateDir = node.marker("disabled").getParent();
            boolean root = ownUid() == 0;
            String reason;
            if (root) {
                Assumptions.assumeTrue(Processes.status("chattr", "+i", stateDir.toString()) == 0, "chattr +i is not available on " + stateDir);
                reason = "Operation not permitted";
            } else {
                Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("r-xr-xr-x"));
                reason = "permission denied";
            }
            try {
                Reply r = w.call("set offline reason=after");
                assertEquals(Reply.FAILED, r.errorKind(), r::render);
                assertTrue(r.errorText().startsWith("cannot change the state to 'offline': "), r::render);
                assertTrue(r.errorText().contains(reason), r::render);
                assertTrue(r.errorText().endsWith("still serving 'disabled'"), r::render);

                Reply back = w.call("set enable");
                assertEquals(Reply.FAILED, back.errorKind(), back::render);
                assertTrue(back.errorText().contains(reason) && back.errorText().endsWith("still serving 'disabled'"), back::render);

                RawHttp.Response probe = node.probeOnce();
                assertEquals(404, probe.code());
                Reply status = w.call("status");
                assertEquals("disabled", status.get("state"));
                assertEquals("before", status.get("reason"));
                assertFalse(Files.exists(node.marker("offline")));
            } finally {
                if (root) {
                    assertEquals(0, Processes.status("chattr", "-i", stateDir.toString()));
                } else {
                    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            // And once the directory is writable again, changes go through.
            assertEquals("offline", w.call("set offline").get("state"));
            assertNull(w.call("status").get("reason"));
        }
    }

    /**
     * {@code offline} while {@code node_disabled} is a directory with a file in it: 'offline' is served, so the
     * change is done, and the leftover below it is a warning. Going back to the default is not possible while it
     * is there: that fails, with the operating system's reason.
     */
    @Test
    void aLowerMarkerThatCannotBeRemovedDoesNotFailTheChange() throws Exception {
        Path disabled = node.marker("disabled");
        Files.writeString(Files.createDirectories(disabled).resolve("keep"), "x");
        try (ControlWire w = node.connect()) {
            Reply r = w.call("set offline reason=dir");
            assertOk(r);
            assertEquals("offline", r.get("state"));
            assertEquals("dir", r.get("reason"));
            assertEquals(List.of("cannot remove " + disabled + ": directory not empty"), r.all("warning"), r::render);
            assertEquals(503, node.probeOnce().code());

            Reply back = w.call("set enable");
            assertEquals(Reply.FAILED, back.errorKind(), back::render);
            assertEquals("cannot change the state to 'enabled': cannot remove " + disabled + ": directory not empty;"
                    + " now serving 'disabled'", back.errorText());
            assertEquals(404, node.probeOnce().code());
            assertEquals("disabled", w.call("status").get("state"));
        }
    }

    /** A TTL must never put the node back in rotation past a state someone else set. */
    @Test
    void anExpiringTtlLeavesAMarkerWrittenMeanwhileInPlace() throws Exception {
        try (ControlWire w = node.connect()) {
            assertTrue(w.call("set disabled ttl=1s reason=short").isOk());
            // Written behind the daemon's back, within the second before the TTL ends and before the file
            // watcher could see it.
            Path offline = dir.resolve("state/node_offline");
            Files.createFile(offline);
            Await.until(() -> !Files.exists(dir.resolve("state/node_disabled")), Duration.ofSeconds(10),
                    "the expired marker to be removed");
            assertTrue(Files.exists(offline), "the operator's marker is gone");
            Await.until(() -> node.keeper.current().state().name().equals("offline"), Duration.ofSeconds(5),
                    "offline to be served");
            try (RawHttp http = new RawHttp(node.port())) {
                assertEquals(503, http.get().code());
            }
        }
    }

    @Test
    void theAgentPortAnswersWithTheStateServed() throws Exception {
        assertEquals(node.config.states().byName("enabled").orElseThrow().agentLine() + "\n", agentLine());
        try (ControlWire w = node.connect()) {
            assertOk(w.call("set disabled"));
        }
        assertEquals(node.config.states().byName("disabled").orElseThrow().agentLine() + "\n", agentLine());
    }

    private String agentLine() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.daemon.agentPorts().get(0)), 5000);
            s.setSoTimeout(5000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aSilentProbeSourceIsForgottenFromStats() throws Exception {
        Path other = Files.createDirectory(dir.resolve("forgetful"));
        Timings forgetful = new Timings(LiveNode.FAST.controlIdle(), LiveNode.FAST.markerPoll(), LiveNode.FAST.waitPoll(),
                Duration.ofMillis(200));
        try (LiveNode quick = LiveNode.start(other, LiveNode.CONF, forgetful); ControlWire w = quick.connect()) {
            assertEquals(200, quick.probeOnce().code());
            assertEquals(1, w.call("stats").all("source").size());
            Await.until(() -> {
                try {
                    return w.call("stats").all("source").isEmpty();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, Duration.ofSeconds(10), "the silent source to leave stats");
        }
    }
}
