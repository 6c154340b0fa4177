package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Await;
import plight.testkit.Processes;

/**
 * {@code plight start} as systemd runs it (plightd.service, {@code Type=notify}): readiness, reload and stop
 * reported to {@code $NOTIFY_SOCKET}, and log lines for the journal when stderr is the journal's stream.
 */
@Timeout(120)
class SystemdIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private PlightNode node;
    private final List<Process> daemons = new ArrayList<>();

    @BeforeEach
    void node() throws Exception {
        node = new PlightNode(dir);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process p : daemons) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** {@code bin/plight -c CONF start} with {@code env} added, stdout and stderr into {@code out} and {@code err}. */
    private Process start(Map<String, String> env, Path out, Path err) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(PlightNode.bin().toString(), "-c", node.conf.toString(), "start")
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("PLIGHT_CONF");
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().remove("JOURNAL_STREAM");
        if (node.javaHome != null) pb.environment().put("JAVA_HOME", node.javaHome.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        daemons.add(p);
        return p;
    }

    private static String output(Path out, Path err) {
        return Processes.outputFiles(Map.entry("stdout", out), Map.entry("stderr", err));
    }

    @Test
    void readyIsSentOnceTheProbePortAndTheControlSocketAnswerAndStoppingOnStop() throws Exception {
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify.sock").toString())) {
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process daemon = start(Map.of("NOTIFY_SOCKET", systemd.environmentValue()), out, err);
            String ready = systemd.next(WAIT);
            // Checked after READY=1 arrived: had it been sent before the listeners were up, these would fail.
            boolean probeAnswers = PlightNode.answers(node.port);
            boolean socketGreets = PlightNode.greets(node.socket());
            assertTrue(ready.lines().anyMatch("READY=1"::equals), ready);
            assertTrue(probeAnswers, "READY=1 came before the probe port answered");
            assertTrue(socketGreets, "READY=1 came before the control socket answered");
            assertEquals(200, node.probe().code());

            Processes.Result stop = node.plight("stop");
            assertEquals(0, stop.exit(), stop::toString);
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, daemon.exitValue(), output(out, err));
            assertEquals(List.of("STOPPING=1"), systemd.drain().stream().map(m -> m.lines().findFirst().orElse("")).toList());
        }
    }

    /** Under Type=notify systemd tracks a reload from RELOADING=1 to READY=1; systemd 253+ also wants the time. */
    @Test
    void aReloadIsBracketedByReloadingAndReadyOnAnAbstractSocket() throws Exception {
        String name = "\0plight-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifySocket systemd = new NotifySocket(name)) {
            assertTrue(systemd.environmentValue().startsWith("@"));
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process daemon = start(Map.of("NOTIFY_SOCKET", systemd.environmentValue()), out, err);
            assertTrue(systemd.next(WAIT).lines().anyMatch("READY=1"::equals));

            for (Runnable reload : List.<Runnable>of(() -> signal(daemon, "HUP"), () -> plight("reload"))) {
                reload.run();
                String reloading = systemd.next(WAIT);
                assertEquals("RELOADING=1", reloading.lines().findFirst().orElse(""), reloading);
                assertTrue(reloading.lines().anyMatch(l -> l.matches("MONOTONIC_USEC=[1-9][0-9]*")), reloading);
                assertTrue(systemd.next(WAIT).lines().anyMatch("READY=1"::equals));
            }
            signal(daemon, "TERM");
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            assertEquals(List.of("STOPPING=1"), systemd.drain().stream().map(m -> m.lines().findFirst().orElse("")).toList(),
                    () -> "after SIGTERM\n" + daemon);
        }
    }

    @Test
    void noReadyWhenTheProbePortCannotBeBound() throws Exception {
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify.sock").toString());
             ServerSocket taken = new ServerSocket(node.port, 50, InetAddress.getByName("127.0.0.1"))) {
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process daemon = start(Map.of("NOTIFY_SOCKET", systemd.environmentValue()), out, err);
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "the daemon should give up on a port in use");
            assertNotEquals(0, daemon.exitValue(), output(out, err));
            assertEquals(List.of(), systemd.drain(), output(out, err));
        }
    }

    /**
     * With stderr connected to the journal (systemd sets {@code JOURNAL_STREAM} to its device and inode), each log
     * line starts with its syslog priority and carries no timestamp of its own: the journal adds both.
     */
    @Test
    void underTheJournalLogLinesCarryTheirPriorityAndNoTimestamp() throws Exception {
        node.writeConf(PlightNode.CONF + "[surplus]\nkey = value\n"); // an ignored section: a warning at start
        Path out = Files.createFile(dir.resolve("out"));
        Path err = Files.createFile(dir.resolve("err"));
        String stream = Files.getAttribute(err, "unix:dev") + ":" + Files.getAttribute(err, "unix:ino");
        Process daemon = start(Map.of("JOURNAL_STREAM", stream), out, err);
        Await.until(() -> PlightNode.greets(node.socket()), WAIT, "the control socket");
        assertEquals(0, node.plight("disable", "--reason", "journal test").exit());
        assertEquals(0, node.plight("stop").exit());
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));

        String log = Files.readString(err, StandardCharsets.UTF_8);
        assertFalse(log.isEmpty(), "nothing logged to stderr");
        for (String line : log.lines().toList()) {
            assertTrue(line.matches("<[0-7]>.*"), () -> "a line without a priority prefix: '" + line + "'\n" + log);
            assertFalse(line.matches(".*\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d.*"), () -> "a timestamp in '" + line + "'");
        }
        assertTrue(log.lines().anyMatch(l -> l.startsWith("<6>plight ") && l.contains("starting")), log);
        assertTrue(log.lines().anyMatch(l -> l.startsWith("<4>") && l.contains("surplus")), log);
        assertTrue(log.lines().anyMatch(l -> l.startsWith("<6>state enabled -> disabled")), log);
        assertEquals("", Files.readString(out), "log lines on stdout as well");
    }

    /** A JOURNAL_STREAM inherited by a process whose stderr went elsewhere is not the journal: plain lines. */
    @Test
    void aJournalStreamThatIsNotStderrLeavesTheUsualFormat() throws Exception {
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process daemon = start(Map.of("JOURNAL_STREAM", "1:1"), out, err);
        Await.until(() -> PlightNode.greets(node.socket()), WAIT, "the control socket");
        assertEquals(0, node.plight("stop").exit());
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        String console = Files.readString(out) + Files.readString(err);
        assertTrue(console.lines().anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  plight .* starting.*")),
                console);
        assertFalse(console.lines().anyMatch(l -> l.startsWith("<")), console);
    }

    private static void signal(Process p, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " failed");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void plight(String... args) {
        try {
            Processes.Result r = node.plight(args);
            assertEquals(0, r.exit(), r::toString);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
