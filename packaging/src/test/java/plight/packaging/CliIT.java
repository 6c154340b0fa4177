package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Confs;
import plight.testkit.Processes.Result;
import plight.testkit.Processes;

/**
 * The CLI end to end through the laid-out distribution's {@code bin/plight}, as operators and scripts run it:
 * the original plight.conf with its paths in a temporary directory, no daemon running.
 */
@Timeout(120)
class CliIT {
    /** Keeps the control socket and pidfile in the test's directory, away from any daemon on this machine. */
    static final String RUNTIME_PATHS = "[control]\nsocket = @DIR@/run/control.sock\n[daemon]\npidfile = @DIR@/run/plight.pid\n";

    static final String NOT_RUNNING = "WARNING: plight is not running";

    private static Path bin;

    @TempDir
    Path dir;

    private Path conf;
    private Path stateDir;

    @BeforeAll
    static void distribution() {
        String path = System.getProperty("plight.bin");
        assertTrue(path != null, "the system property plight.bin names bin/plight (set by the packaging pom)");
        bin = Path.of(path);
        assertTrue(Files.isExecutable(bin), bin + " is not an executable; run through 'mvn verify' so that it is laid out first");
    }

    @BeforeEach
    void config() throws IOException {
        conf = write("plight.conf", Confs.ORIGINAL_IN_DIR + RUNTIME_PATHS);
        stateDir = dir.resolve("state");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text.replace("@DIR@", dir.toString()), StandardCharsets.UTF_8);
    }

    private Result exec(Path executable, Path cwd, Map<String, String> extraEnv, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("PLIGHT_CONF");
        Jdks.configured().ifPresent(home -> pb.environment().put("JAVA_HOME", home.toString()));
        pb.environment().putAll(extraEnv);
        return Processes.run(pb, Duration.ofSeconds(60));
    }

    /** bin/plight -c CONF ARGS..., from the test's directory. */
    private Result plight(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-c", conf.toString()));
        all.addAll(List.of(args));
        return exec(bin, dir, Map.of(), all);
    }

    private static void assertExit(int expected, Result r) {
        assertEquals(expected, r.exit(), r::toString);
    }

    // --- issue 2's "done when" -------------------------------------------------------------------------------

    @Test
    void listStatesDisableStatusWithTheOriginalConf() throws Exception {
        Result list = plight("list-states");
        assertExit(0, list);
        assertEquals(Confs.ORIGINAL_LIST_STATES, list.out());
        assertEquals("", list.err());

        Result status = plight("status");
        assertExit(0, status);
        assertEquals(NOT_RUNNING + "\nState: enabled\nCode: 200\nMessage: OK\n", status.out());

        Instant before = Instant.now().minusSeconds(1);
        Result disable = plight("disable", "--reason", "x");
        assertExit(0, disable);
        assertEquals("", disable.out());
        assertTrue(disable.err().startsWith(NOT_RUNNING), "a verb while no daemon runs warns on stderr: " + disable.err());
        assertEquals(1, disable.err().split("\n").length, disable.err());
        assertTrue(Files.isRegularFile(stateDir.resolve("node_disabled")), "the marker is written");

        status = plight("status");
        assertExit(0, status);
        Matcher m = Pattern.compile(Pattern.quote(NOT_RUNNING) + "\nState: disabled\nCode: 404\nMessage: node is unavailable\n"
                + "Since: (\\S+)\nBy: (.+)\nReason: x\n").matcher(status.out());
        assertTrue(m.matches(), status.out());
        Instant since = Instant.parse(m.group(1));
        assertFalse(since.isBefore(before) || since.isAfter(Instant.now()), "Since: " + since);
        assertTrue(m.group(2).contains("pid "), m.group(2));
        assertEquals("", status.err());

        // The marker file carries the same metadata, as key=value lines.
        List<String> lines = Files.readAllLines(stateDir.resolve("node_disabled"));
        assertEquals(List.of("since=" + m.group(1), "by=" + m.group(2), "reason=x"), lines);
    }

    @Test
    void statusWithTtlShowsExpires() throws Exception {
        assertExit(0, plight("offline", "--reason", "cable cut", "--ttl", "2h"));
        Result status = plight("status");
        Matcher m = Pattern.compile(Pattern.quote(NOT_RUNNING) + "\nState: offline\nCode: 503\nMessage: node is offline\n"
                + "Since: (\\S+)\nBy: .+\nReason: cable cut\nExpires: (\\S+)\n").matcher(status.out());
        assertTrue(m.matches(), status.out());
        assertEquals(Duration.ofHours(2), Duration.between(Instant.parse(m.group(1)), Instant.parse(m.group(2))));
    }

    @Test
    void statusJson() throws Exception {
        Result r = plight("status", "--json");
        assertExit(0, r);
        assertEquals("{\"running\":false,\"state\":\"enabled\",\"code\":200,\"message\":\"OK\",\"default\":true,"
                + "\"since\":null,\"by\":null,\"reason\":null,\"expires\":null}\n", r.out());
    }

    @Test
    void enableReturnsToTheDefault() throws Exception {
        assertExit(0, plight("offline"));
        Result r = plight("enable");
        assertExit(0, r);
        assertTrue(r.err().startsWith(NOT_RUNNING), r.err());
        assertEquals(NOT_RUNNING + "\nState: enabled\nCode: 200\nMessage: OK\n", plight("status").out());
        assertFalse(Files.exists(stateDir.resolve("node_offline")));
    }

    @Test
    void stateNameWorksAsAVerb() throws Exception {
        assertExit(0, plight("disabled", "--reason", "by name"));
        assertTrue(plight("status").out().contains("State: disabled\n"));
    }

    @Test
    void markerTouchedByAnOperator() throws Exception {
        Files.createDirectories(stateDir);
        Files.createFile(stateDir.resolve("node_offline"));
        assertEquals(NOT_RUNNING + "\nState: offline\nCode: 503\nMessage: node is offline\n", plight("status").out());
    }

    // --- any working directory, through a symlink -------------------------------------------------------------

    @Test
    void worksFromAnotherWorkingDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/deeper"));
        Result r = exec(bin, elsewhere, Map.of(), List.of("-c", conf.toString(), "list-states"));
        assertExit(0, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());

        r = exec(bin, Path.of("/"), Map.of(), List.of("-c", conf.toString(), "list-states"));
        assertExit(0, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());

        // A relative -c is relative to the caller's working directory.
        r = exec(bin, dir, Map.of(), List.of("-c", "plight.conf", "list-states"));
        assertExit(0, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());
    }

    @Test
    void worksThroughASymlink() throws Exception {
        // As packages install it: /usr/bin/plight -> /usr/share/plight/bin/plight, here inside the test directory.
        Path usrBin = Files.createDirectories(dir.resolve("usr/bin"));
        Path link = Files.createSymbolicLink(usrBin.resolve("plight"), bin.toAbsolutePath());
        Result r = exec(link, Path.of("/"), Map.of(), List.of("-c", conf.toString(), "list-states"));
        assertExit(0, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());

        // A relative link, and a link to a link.
        Path relative = Files.createSymbolicLink(dir.resolve("plight-rel"), dir.relativize(bin.toAbsolutePath()));
        Path chained = Files.createSymbolicLink(dir.resolve("plight-chain"), link);
        for (Path l : List.of(relative, chained)) {
            r = exec(l, dir.resolve("usr"), Map.of(), List.of("-c", conf.toString(), "disable", "--reason", "via " + l.getFileName()));
            assertExit(0, r);
        }
        assertTrue(plight("status").out().contains("Reason: via plight-chain\n"));
    }

    @Test
    void configFromTheEnvironment() throws Exception {
        Result r = exec(bin, dir, Map.of("PLIGHT_CONF", conf.toString()), List.of("list-states"));
        assertExit(0, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());
    }

    // --- exit statuses ---------------------------------------------------------------------------------------

    @Test
    void exit2ForUsage() throws Exception {
        Result r = plight("bogus");
        assertExit(2, r);
        assertTrue(r.err().contains("unknown command 'bogus'"), r.err());
        for (String valid : List.of("status", "list-states", "enable", "disable", "offline")) {
            assertTrue(r.err().contains(valid), r.err());
        }
        r = plight("disable", "--bogus");
        assertExit(2, r);
        assertTrue(r.err().contains("--bogus") && r.err().contains("--reason"), r.err());
        r = plight("disable", "--ttl", "5 parsecs");
        assertExit(2, r);
        assertTrue(r.err().contains("--ttl"), r.err());
        r = plight("enable", "--ttl", "1h");
        assertExit(2, r);
        assertFalse(Files.exists(stateDir.resolve("node_disabled")), "a refused command changes nothing");
        assertExit(2, exec(bin, dir, Map.of(), List.of("-c", conf.toString())));
    }

    @Test
    void exit3WhenTheDaemonIsNotRunning() throws Exception {
        for (String cmd : List.of("stop", "reload", "stats")) {
            Result r = plight(cmd);
            assertExit(3, r);
            assertTrue(r.err().contains("not running"), r.err());
        }
        // status is not an error while the daemon is down.
        assertExit(0, plight("status"));
    }

    @Test
    void exit78ForABadConfigNamingFileAndLine() throws Exception {
        conf = write("bad.conf", Confs.ORIGINAL_IN_DIR.replace("code = 404", "code = 99") + RUNTIME_PATHS);
        for (String cmd : List.of("status", "list-states", "disable", "reload")) {
            Result r = plight(cmd);
            assertExit(78, r);
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("plight: " + conf + ":22: "), r.err());
            assertTrue(r.err().contains("99"), r.err());
            assertEquals(1, r.err().split("\n").length, "one line: " + r.err());
        }
        conf = write("dup.conf", Confs.ORIGINAL_IN_DIR.replace("port = 10101", "port = 10101\nport = 10102") + RUNTIME_PATHS);
        Result r = plight("status");
        assertExit(78, r);
        assertTrue(r.err().startsWith("plight: " + conf + ":4: duplicate key 'port'"), r.err());

        conf = dir.resolve("missing.conf");
        r = plight("status");
        assertExit(78, r);
        assertTrue(r.err().contains(conf.toString()), r.err());
    }

    @Test
    void exit1WhenTheStateCannotBePersisted() throws Exception {
        assertExit(0, plight("disable", "--reason", "before"));
        boolean root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        String reason;
        if (root) {
            // Root ignores permission bits: make the directory immutable instead.
            Assumptions.assumeTrue(Processes.status("chattr", "+i", stateDir.toString()) == 0, "chattr +i not available here");
            reason = "Operation not permitted";
        } else {
            Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("r-xr-xr-x"));
            reason = "permission denied";
        }
        try {
            Result r = plight("offline", "--reason", "after");
            assertExit(1, r);
            assertTrue(r.err().contains(reason), r.err());
            Result status = plight("status");
            assertTrue(status.out().contains("State: disabled\n") && status.out().contains("Reason: before\n"), status.out());
        } finally {
            if (root) {
                assertEquals(0, Processes.status("chattr", "-i", stateDir.toString()));
            } else {
                Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    // --- help and version ------------------------------------------------------------------------------------

    @Test
    void help() throws Exception {
        Result r = plight("--help");
        assertExit(0, r);
        assertTrue(r.out().startsWith("Usage: plight"), r.out());
        for (String cmd : List.of("start", "stop", "status", "list-states", "enable", "disable", "offline", "version")) {
            assertTrue(Pattern.compile("(?m)^  " + Pattern.quote(cmd) + " ").matcher(r.out()).find(), cmd + " missing from\n" + r.out());
        }
        r = plight("disable", "--help");
        assertExit(0, r);
        assertTrue(r.out().contains("--reason") && r.out().contains("--ttl"), r.out());
    }

    @Test
    void version() throws Exception {
        String expected = "plight " + System.getProperty("plight.version", "") + "\n";
        for (List<String> args : List.of(List.of("version"), List.of("--version"), List.of("-c", conf.toString(), "version"))) {
            Result r = exec(bin, dir, Map.of(), args);
            assertExit(0, r);
            if (System.getProperty("plight.version") != null) {
                assertEquals(expected, r.out());
            } else {
                assertTrue(r.out().matches("plight \\S+\n"), r.out());
            }
        }
    }
}
