package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Await;
import plight.testkit.JsonReader;
import plight.testkit.Ports;
import plight.testkit.Processes;
import plight.testkit.RawHttp;

/**
 * The daemon end to end through the laid-out distribution: {@code bin/plight start} as a subprocess and
 * {@code bin/plight} commands against it, with the daemon up and down.
 */
@Timeout(120)
class DaemonIT {
    static final String NOT_RUNNING = "WARNING: plight is not running";

    @TempDir
    Path dir;

    private PlightNode node;

    @BeforeEach
    void node() throws IOException {
        node = new PlightNode(dir);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        node.cleanUp();
    }

    /** Starts the daemon and kills it with SIGKILL: its socket file and pidfile stay behind. */
    static void startAndCrash(PlightNode node) throws Exception {
        PlightNode.Daemon crashed = node.start();
        crashed.signal("KILL");
        crashed.exit(Duration.ofSeconds(5));
        assertTrue(Files.exists(node.socket(), java.nio.file.LinkOption.NOFOLLOW_LINKS), "a crash leaves the socket file");
    }

    private static void assertExit(int expected, Processes.Result r) {
        assertEquals(expected, r.exit(), r::toString);
    }

    private static void assertNoStackTrace(Processes.Result r) {
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), () -> "a stack trace:\n" + r);
    }

    private static long ownUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    /**
     * A newer runtime must not greet operators with warnings: JDK 22+ warns about restricted methods (Netty's
     * native library loading) unless native access is enabled. Runs on the newest JDK present.
     */
    @Test
    void startOnTheNewestJdkPrintsNoJvmWarnings() throws Exception {
        Path jdk = Jdks.configured().or(Jdks::newestInstalled).orElse(null);
        int feature = jdk == null ? 0 : Jdks.feature(jdk).orElse(0);
        Assumptions.assumeTrue(feature > 17, "no JDK newer than 17 under " + Jdks.JVM_DIR
                + " (nor -Dplight.test.javaHome=DIR): nothing newer to check bin/plight start on");
        node.javaHome = jdk;
        PlightNode.Daemon d = node.start();
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(10)), d::output);
        String output = d.output();
        assertTrue(output.contains("plight has stopped"), output);
        List<String> warnings = output.lines()
                .filter(l -> l.startsWith("WARNING:") || l.contains("VM warning")).toList();
        assertEquals(List.of(), warnings, () -> "JDK " + feature + " (" + jdk + ") warned:\n" + output);
    }

    @Test
    void startServesAndASecondStartIsRefused() throws Exception {
        PlightNode.Daemon d = node.start();
        RawHttp.Response r = node.probe();
        assertEquals(200, r.code());
        assertEquals("OK", r.reason());
        assertEquals("enabled", r.header("X-Plight-State"));
        assertEquals(d.pid() + "\n", Files.readString(node.pidFile()), "the pidfile names the daemon");

        Processes.Result second = node.plight("start");
        assertExit(1, second);
        assertEquals("plight: plight is already running (pid " + d.pid() + "): " + node.pidFile() + " is locked\n", second.err());
        assertNoStackTrace(second);
        assertTrue(d.process().isAlive(), "the first daemon keeps running");
        assertEquals(200, node.probe().code(), "and serving");
        assertTrue(Files.exists(node.socket()), "its socket is left alone");
        assertEquals(d.pid() + "\n", Files.readString(node.pidFile()), "its pidfile is left alone");
    }

    /** The distribution carries every transport's native library: each serves probes and agent checks as configured. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"io_uring", "epoll", "nio"})
    void eachConfiguredTransportServesAndTheStartUpLogNamesIt(String transport) throws Exception {
        node.writeConf(CONF_WITH_TRANSPORT.replace("@TRANSPORT@", transport));
        PlightNode.Daemon d = node.start();
        assertEquals(200, node.probe().code());
        assertTrue(node.agent().startsWith("up ready"));
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(10)), d::output);
        String log = Files.readString(node.appLog());
        assertTrue(log.contains("transport " + transport + " (configured)"), log);
        assertTrue(log.contains("(" + transport + "), state 'enabled'"), log);
    }

    @Test
    void autoTransportIsLoggedWithWhy() throws Exception {
        PlightNode.Daemon d = node.start();
        assertEquals(200, node.probe().code());
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(10)), d::output);
        String log = Files.readString(node.appLog());
        assertTrue(log.contains("transport epoll (auto: "), log);
    }

    private static final String CONF_WITH_TRANSPORT = PlightNode.CONF.replace("port = @PORT@\n", "port = @PORT@\ntransport = @TRANSPORT@\n");

    @Test
    void aVerbWithTheDaemonUpIsServedWhenTheCliReturns() throws Exception {
        node.start();
        try (RawHttp keepAlive = new RawHttp(node.port)) {
            assertEquals(200, keepAlive.get().code());
            Processes.Result disable = node.plight("disable", "--reason", "x");
            // The first requests after the acknowledgement, on a new connection and on an open one, see it.
            assertEquals(404, node.probe().code());
            assertEquals(404, keepAlive.get().code());
            assertExit(0, disable);
            assertEquals("", disable.out());
            assertEquals("", disable.err(), "no warning while the daemon runs");
        }
        Processes.Result status = node.plight("status");
        assertExit(0, status);
        Matcher m = Pattern.compile("State: disabled\nCode: 404\nMessage: node is unavailable\nSince: (\\S+)\nBy: (.+)\nReason: x\n")
                .matcher(status.out());
        assertTrue(m.matches(), status::toString);
        assertEquals(System.getProperty("user.name") + " (uid " + ownUid() + ", pid ", m.group(2).replaceAll("\\d+\\)$", ""));
        assertTrue(Files.readString(node.marker("disabled")).contains("reason=x\n"), "durable on disk");

        Processes.Result json = node.plight("status", "--json");
        assertExit(0, json);
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) JsonReader.parse(json.out());
        assertEquals(true, j.get("running"));
        assertEquals("disabled", j.get("state"));
        assertEquals(404L, j.get("code"));
        assertEquals("x", j.get("reason"));

        assertExit(0, node.plight("enable"));
        assertEquals(200, node.probe().code());
        assertFalse(Files.exists(node.marker("disabled")));
        assertEquals("State: enabled\nCode: 200\nMessage: OK\n", node.plight("status").out());
    }

    /** The application log names who changed the state: user, uid and pid of the CLI process, from SO_PEERCRED. */
    @Test
    void eachChangeIsAuditedWithTheCallersUidAndPid() throws Exception {
        PlightNode.Daemon d = node.start();
        Processes.Result disable = node.plight("disable", "--reason", "kernel upgrade", "--ttl", "2h");
        assertExit(0, disable);
        Processes.Result enable = node.plight("enable");
        assertExit(0, enable);
        String user = System.getProperty("user.name");
        long uid = ownUid();
        Pattern line = Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  "
                + Pattern.quote("state enabled -> disabled by " + user + " (uid " + uid + ", pid " + disable.pid() + ") for 2h, reason: kernel upgrade") + "$");
        Pattern back = Pattern.compile("(?m)^\\S+ \\S+ INFO  "
                + Pattern.quote("state disabled -> enabled by " + user + " (uid " + uid + ", pid " + enable.pid() + ")") + "$");
        Await.until(() -> matches(node.appLog(), line) && matches(node.appLog(), back), Duration.ofSeconds(5),
                "the audit lines in " + node.appLog() + ":\n" + read(node.appLog()));
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(5)));
    }

    static boolean matches(Path file, Pattern p) {
        return p.matcher(read(file)).find();
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void statsAndStatsJson() throws Exception {
        node.start();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, node.probe().code());
        }
        Processes.Result stats = node.plight("stats");
        assertExit(0, stats);
        assertTrue(Pattern.compile("Open connections: \\d+\nProbes served:\n  enabled: 3\nProbe sources: 1\n"
                + "  127\\.0\\.0\\.1  other  last seen \\S+  every \\d+ ms  served enabled x3\n").matcher(stats.out()).matches(), stats::toString);

        Processes.Result json = node.plight("stats", "--json");
        assertExit(0, json);
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) JsonReader.parse(json.out());
        assertTrue(j.get("connections") instanceof Long, json::toString);
        assertEquals(Map.of("enabled", 3L), j.get("probes"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sources = (List<Map<String, Object>>) j.get("sources");
        assertEquals(1, sources.size(), json::toString);
        Map<String, Object> s = sources.get(0);
        assertEquals("127.0.0.1", s.get("address"));
        assertEquals("enabled", s.get("state"));
        assertEquals(3L, s.get("streak"));
        assertEquals(3L, s.get("probes"));
        assertEquals("other", s.get("kind"));
        assertNull(s.get("lb"), "no send-state, no view of its own");
        assertTrue(s.get("interval_ms") instanceof Long, json::toString);
        assertNotNull(java.time.Instant.parse((String) s.get("last_seen")));
    }

    @Test
    void reloadAndSighup() throws Exception {
        PlightNode.Daemon d = node.start();
        try (RawHttp keepAlive = new RawHttp(node.port)) {
            assertEquals("OK", keepAlive.get().reason());
            node.writeConf(PlightNode.CONF.replace("message = OK", "message = reloaded OK"));
            Processes.Result reload = node.plight("reload");
            assertExit(0, reload);
            assertEquals("Reloaded: " + node.conf + "\n", reload.out());
            assertEquals("", reload.err());
            assertEquals("reloaded OK", keepAlive.get().reason(), "served at once, on the open connection too");

            // A setting only a restart applies: a warning, and the reload still happens.
            node.writeConf(PlightNode.CONF.replace("message = OK", "message = moved OK").replace("@PORT@", Integer.toString(Ports.free())));
            reload = node.plight("reload");
            assertExit(0, reload);
            assertEquals("plight: warning: [webserver] port changed; it takes effect at the next restart\n", reload.err());
            assertEquals("moved OK", keepAlive.get().reason());

            // A config with an error: the daemon refuses it (the CLI says why, as for a file it cannot load) and keeps serving.
            node.writeConf(PlightNode.CONF.replace("code = 404", "code = 99"));
            reload = node.plight("reload");
            assertExit(78, reload);
            assertTrue(reload.err().startsWith("plight: " + node.conf + ":24: "), reload::toString);
            assertEquals("moved OK", keepAlive.get().reason());

            // SIGHUP, as an operator or a script sends it.
            node.writeConf(PlightNode.CONF.replace("message = OK", "message = hup OK"));
            d.signal("HUP");
            Await.until(() -> {
                try {
                    return keepAlive.get().reason().equals("hup OK");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Duration.ofSeconds(5), "SIGHUP to reload");
            assertTrue(d.process().isAlive());
        }
    }

    /**
     * {@code systemctl start} then {@code reload}: a SIGHUP that arrives while the daemon is still starting (its
     * pidfile just written) neither kills it nor is lost: it is applied once the daemon runs.
     */
    @Test
    void aSighupWhileStartingIsAppliedOnceRunning() throws Exception {
        PlightNode.Daemon d = node.spawn();
        Await.until(() -> Files.exists(node.pidFile()) || !d.process().isAlive(), Duration.ofSeconds(20), "the pidfile");
        d.signal("HUP");
        node.awaitUp(d);
        assertEquals(200, node.probe().code());
        Pattern reloaded = Pattern.compile("(?m) INFO  configuration reloaded by signal SIGHUP \\(uid \\d+, pid " + d.pid() + "\\)");
        Await.until(() -> matches(node.appLog(), reloaded), Duration.ofSeconds(5),
                "the SIGHUP's reload in " + node.appLog() + ":\n" + read(node.appLog()));
        assertTrue(d.process().isAlive(), d::output);
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(5)), d::output);
    }

    @Test
    void stopEndsTheDaemonAndItsFiles() throws Exception {
        PlightNode.Daemon d = node.start();
        Processes.Result stop = node.plight("stop");
        assertExit(0, stop);
        assertEquals("", stop.err());
        // Exited: gone or a zombie, whatever this JVM's reaper thread has done with it yet.
        assertTrue(Processes.exited(d.pid()), "stop returns once the daemon has exited");
        assertEquals(0, d.exit(Duration.ofSeconds(5)), d::output);
        assertFalse(Files.exists(node.socket(), java.nio.file.LinkOption.NOFOLLOW_LINKS), "the socket is removed");
        assertFalse(Files.exists(node.pidFile()), "the pidfile is removed");
        assertFalse(PlightNode.answers(node.port), "the probe port is closed");
        assertTrue(d.output().contains("plight has stopped"), d::output);
    }

    /** With its pidfile deleted, stop still returns only once the daemon has exited (its pid is in the stop reply). */
    @Test
    void stopWithoutThePidfileStillWaitsForTheDaemonToExit() throws Exception {
        PlightNode.Daemon d = node.start();
        Files.delete(node.pidFile());
        Processes.Result stop = node.plight("stop");
        assertExit(0, stop);
        assertEquals("", stop.err());
        assertTrue(Processes.exited(d.pid()), "stop returned while the daemon still ran");
        assertEquals(0, d.exit(Duration.ofSeconds(5)), d::output);
    }

    /**
     * A daemon whose parent does not reap it at once (a supervisor, a script) is a zombie once it has exited, and
     * control clients may be connected when the stop comes — idle, halfway through a line, sending garbage: stop
     * returns once the daemon has exited, with status 0, every connection closed.
     */
    @Test
    void stopReturnsOnceTheDaemonHasExitedWithControlConnectionsOpenAndAParentThatDoesNotReap() throws Exception {
        Path out = dir.resolve("unreaped.out");
        Process parent = new ProcessBuilder("sh", "-c", "\"$0\" -c \"$1\" start >\"$2\" 2>&1 & echo $!; exec sleep 600",
                PlightNode.bin().toString(), node.conf.toString(), out.toString()).redirectErrorStream(true).start();
        try {
            long pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream())).readLine().strip());
            Await.until(() -> PlightNode.greets(node.socket()) && PlightNode.answers(node.port), Duration.ofSeconds(20),
                    "the daemon to come up:\n" + read(out));
            try (java.nio.channels.SocketChannel idle = control();
                 java.nio.channels.SocketChannel half = control();
                 java.nio.channels.SocketChannel noise = control()) {
                half.write(java.nio.ByteBuffer.wrap("set disab".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                byte[] garbage = new byte[100 * 1024];
                new java.util.Random(9).nextBytes(garbage);
                noise.configureBlocking(false);
                noise.write(java.nio.ByteBuffer.wrap(garbage));

                Processes.Result stop = node.plight("stop");
                assertExit(0, stop);
                assertEquals("", stop.err());
                assertTrue(Processes.exited(pid), "stop returned while the daemon ran:\n" + read(out));
                assertEquals(-1, idle.read(java.nio.ByteBuffer.allocate(64)), "the idle connection is closed");
            }
            assertTrue(read(out).contains("plight has stopped"), () -> read(out));
        } finally {
            parent.destroy();
            parent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A control client waiting for the load balancers when the daemon stops gets an answer, not a closed connection. */
    @Test
    void aWaitInFlightIsAnsweredWhenTheDaemonStops() throws Exception {
        PlightNode.Daemon d = node.start();
        assertEquals(200, node.probe().code()); // a probe source, served 'enabled' once of the 1000 times waited for
        try (java.nio.channels.SocketChannel waiting = control()) {
            waiting.write(java.nio.ByteBuffer.wrap("wait enabled fall=1000 timeout=1m\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            Processes.Result stop = node.plight("stop");
            assertExit(0, stop);
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(256);
            for (int n; (n = waiting.read(buf.clear())) >= 0; ) {
                answer.write(buf.array(), 0, n);
            }
            assertEquals("ERR stopping plight is stopping\npid: " + d.pid() + "\n\n", answer.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(0, d.exit(Duration.ofSeconds(5)));
    }

    private java.nio.channels.SocketChannel control() throws IOException {
        java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        ch.connect(java.net.UnixDomainSocketAddress.of(node.socket()));
        java.nio.ByteBuffer greeting = java.nio.ByteBuffer.allocate(9);
        while (greeting.hasRemaining() && ch.read(greeting) >= 0) {
            // the greeting
        }
        return ch;
    }

    /**
     * {@code [control] socket} edited while the daemon runs: the CLI still finds the running daemon (through what
     * it recorded beside its pidfile), {@code reload} says the change needs a restart, and {@code stop} stops it.
     */
    @Test
    void afterTheSocketIsMovedInTheConfigTheCliStillFindsTheRunningDaemon() throws Exception {
        PlightNode.Daemon d = node.start();
        Path moved = dir.resolve("elsewhere/control.sock");
        node.writeConf(PlightNode.CONF.replace("socket = @DIR@/run/control.sock", "socket = " + moved));

        Processes.Result reload = node.plight("reload");
        assertExit(0, reload);
        assertEquals("plight: warning: [control] changed; it takes effect at the next restart\n", reload.err());
        Processes.Result disable = node.plight("disable", "--reason", "moved socket");
        assertExit(0, disable);
        assertEquals("", disable.err(), "through the daemon, not the files");
        assertEquals(404, node.probe().code());
        Processes.Result status = node.plight("status");
        assertTrue(status.out().startsWith("State: disabled\n"), status::toString);
        assertEquals("", status.err());
        Processes.Result stop = node.plight("stop");
        assertExit(0, stop);
        assertEquals(0, d.exit(Duration.ofSeconds(5)));
        assertFalse(Files.exists(moved), "nothing was ever made at the new path");
    }

    @Test
    void sigtermExitsZeroPromptlyWithAKeepAliveClientConnected() throws Exception {
        PlightNode.Daemon d = node.start();
        try (RawHttp keepAlive = new RawHttp(node.port)) {
            assertEquals(200, keepAlive.get().code());
            long t0 = System.nanoTime();
            d.signal("TERM");
            // Promptly: well before the keep-alive client's idle timeout (60 s), with room for a loaded machine.
            int exit = d.exit(Duration.ofSeconds(5));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, exit, d::output);
            assertTrue(ms <= 5000, "took " + ms + " ms");
            assertTrue(keepAlive.closedByServer(), "the idle keep-alive connection is closed, not left hanging");
        }
        assertFalse(Files.exists(node.socket(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(node.pidFile()));
    }

    @Test
    void withTheDaemonDownAVerbIsSavedAndServedAtStart() throws Exception {
        for (String cmd : List.of("stop", "reload", "stats")) {
            Processes.Result r = node.plight(cmd);
            assertExit(3, r);
            assertEquals("plight: plight is not running\n", r.err());
        }
        Processes.Result offline = node.plight("offline", "--reason", "while down");
        assertExit(0, offline);
        assertEquals(NOT_RUNNING + "; the state 'offline' is saved and will be served when it starts\n", offline.err());
        assertTrue(Files.readString(node.marker("offline")).contains("reason=while down\n"));

        node.start();
        RawHttp.Response r = node.probe();
        assertEquals(503, r.code());
        assertEquals("node is offline", r.reason());
        Processes.Result status = node.plight("status");
        assertFalse(status.out().contains("WARNING"), status::toString);
        assertTrue(status.out().startsWith("State: offline\n") && status.out().contains("Reason: while down\n"), status::toString);
    }

    /** After a crash the socket file and pidfile are left behind: the CLI still sees no daemon, and a start replaces them. */
    @Test
    void afterACrashTheCliSeesNoDaemonAndAStartTakesOver() throws Exception {
        startAndCrash(node);

        Processes.Result stats = node.plight("stats");
        assertExit(3, stats);
        Processes.Result disable = node.plight("disable", "--reason", "after crash");
        assertExit(0, disable);
        assertTrue(disable.err().startsWith(NOT_RUNNING), disable::toString);

        PlightNode.Daemon d = node.start();
        assertEquals(404, node.probe().code());
        assertExit(0, node.plight("enable"));
        assertEquals(200, node.probe().code());
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(5)));
    }

    @Test
    void theAgentPortAnswersPerStateAndCloses() throws Exception {
        node.start();
        assertEquals("up ready\n", node.agent());
        assertExit(0, node.plight("disable"));
        assertEquals("up drain\n", node.agent());
        assertExit(0, node.plight("offline"));
        assertEquals("down # node is offline\n", node.agent());
        assertExit(0, node.plight("enable"));
        assertEquals("up ready\n", node.agent());
    }

    @Test
    void theAccessLogHasTheOriginalsLine() throws Exception {
        PlightNode.Daemon d = node.start();
        RawHttp.Response r = node.probe();
        Pattern line = Pattern.compile("(?m)^127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4} \\d\\d:\\d\\d:\\d\\d\\] "
                + "\"GET / HTTP/1\\.1\" 200 (\\d+)$");
        Await.until(() -> matches(node.accessLog(), line), Duration.ofSeconds(5), "the access log line in " + node.accessLog()
                + ":\n" + read(node.accessLog()));
        Matcher m = line.matcher(read(node.accessLog()));
        assertTrue(m.find());
        assertEquals(r.raw().length, Integer.parseInt(m.group(1)), "the size is the response's");
        assertFalse(read(node.appLog()).contains("GET /"), "access lines stay out of the application log");
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(5)));
        List<String> lines = Files.readAllLines(node.accessLog());
        assertEquals(1, lines.size(), "one probe, one line: " + lines);
    }

    @Test
    void anAccessLogAtOffIsNeverCreated() throws Exception {
        node.access = "OFF";
        node.writeConf(PlightNode.CONF);
        PlightNode.Daemon d = node.start();
        for (int i = 0; i < 5; i++) {
            assertEquals(200, node.probe().code());
        }
        assertExit(0, node.plight("stop"));
        assertEquals(0, d.exit(Duration.ofSeconds(5)));
        assertTrue(Files.exists(node.appLog()), "the application log is still written");
        try (var files = Files.list(node.appLog().getParent())) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("access")).toList());
        }
    }

    /**
     * cron and ssh without {@code LANG} run the CLI in the C locale, and an ssh client's {@code LANG} may name a
     * locale this machine lacks: a reason outside ASCII is still stored and shown exactly, daemon down or up.
     */
    @Test
    void aNonAsciiReasonIsKeptAndShownInAnyLocale() throws Exception {
        String reason = "café ☕ — Ünïcode 日本";
        List<Map<String, String>> locales = List.of(Map.of(), Map.of("LC_ALL", "POSIX"), Map.of("LANG", "C"),
                Map.of("LANG", "xx_NOWHERE.UTF-8"));
        for (boolean up : List.of(false, true)) {
            if (up) node.start();
            for (Map<String, String> locale : locales) {
                String where = (up ? "daemon up, " : "daemon down, ") + "locale " + locale;
                Processes.Result disable = node.runInEnvironment(locale, "disable", "--reason", reason);
                assertEquals(0, disable.exit(), () -> where + "\n" + disable);
                assertTrue(Files.readString(node.marker("disabled"), java.nio.charset.StandardCharsets.UTF_8)
                        .contains("reason=" + reason + "\n"), where);
                Processes.Result status = node.runInEnvironment(locale, "status");
                assertTrue(status.out().contains("\nReason: " + reason + "\n"), () -> where + "\n" + status);
                Processes.Result json = node.runInEnvironment(locale, "status", "--json");
                assertEquals(reason, ((Map<?, ?>) JsonReader.parse(json.out())).get("reason"), () -> where + "\n" + json);
                assertExit(0, node.runInEnvironment(locale, "enable"));
            }
        }
    }

    /** A ttl too long for a date is a usage error (exit 2) with the daemon up or down, never a stack trace. */
    @Test
    void anAbsurdTtlIsAUsageErrorUpOrDown() throws Exception {
        Processes.Result down = node.plight("disable", "--ttl", "999999999999d");
        assertNoStackTrace(down);
        assertExit(2, down);
        assertFalse(Files.exists(node.marker("disabled")));

        node.start();
        Processes.Result up = node.plight("disable", "--ttl", "999999999999d");
        assertNoStackTrace(up);
        assertExit(2, up);
        assertEquals(200, node.probe().code());
    }
}
