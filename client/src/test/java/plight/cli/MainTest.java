package plight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import plight.config.Environment;
import plight.state.Marker;
import plight.testkit.Confs;
import plight.testkit.ReadOnlyDir;

/** The CLI in process, on the original plight.conf with its paths in a temporary directory, no daemon running. */
class MainTest {
    @TempDir
    Path dir;

    private Path conf;
    private Path stateDir;
    private Environment env;

    @BeforeEach
    void setUp() throws Exception {
        conf = write("plight.conf", Confs.ORIGINAL_IN_DIR);
        stateDir = dir.resolve("state");
        // A plain user whose runtime directory (control socket, pidfile) is in the test's directory: no daemon there.
        env = new Environment(Map.of("HOME", dir.resolve("home").toString(), "XDG_RUNTIME_DIR", dir.resolve("run").toString()), 1000);
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text.replace("@DIR@", dir.toString()), StandardCharsets.UTF_8);
    }

    private CliRun run(Environment environment, String... args) {
        return CliRun.of(environment, args);
    }

    private CliRun cli(String... args) {
        return CliRun.withConf(env, conf, args);
    }

    /** {@code r}, once its exit code is known to be {@code expected}. */
    private static CliRun assertExit(ExitCode expected, CliRun r) {
        assertEquals(expected, r.code(), r::toString);
        return r;
    }

    private String currentState() throws Exception {
        if (Files.exists(stateDir.resolve("node_offline"))) return "offline";
        if (Files.exists(stateDir.resolve("node_disabled"))) return "disabled";
        return "enabled";
    }

    @Test
    void listStatesByteForByte() {
        CliRun r = assertExit(ExitCode.OK, cli("list-states"));
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());
        assertEquals("", r.err());
    }

    @Test
    void statusOfTheDefaultStateWhileNotRunning() {
        CliRun r = assertExit(ExitCode.OK, cli("status"));
        assertEquals("WARNING: plight is not running\nState: enabled\nCode: 200\nMessage: OK\n", r.out());
    }

    @Test
    void disableWithReasonAndTtlThenStatus() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CliRun set = cli("disable", "--reason", "x", "--ttl", "1h");
        Instant after = Instant.now();
        assertExit(ExitCode.OK, set);
        assertEquals("", set.out());
        assertTrue(set.err().startsWith("WARNING: plight is not running"), set.err());
        assertTrue(Files.exists(stateDir.resolve("node_disabled")), "the marker is written while no daemon runs");

        CliRun r = assertExit(ExitCode.OK, cli("status"));
        Matcher m = Pattern.compile("WARNING: plight is not running\nState: disabled\nCode: 404\nMessage: node is unavailable\n"
                + "Since: (\\S+)\nBy: (.+ \\(uid \\d+, pid \\d+\\))\nReason: x\nExpires: (\\S+)\n").matcher(r.out());
        assertTrue(m.matches(), r.out());
        Instant since = Instant.parse(m.group(1));
        Instant expires = Instant.parse(m.group(3));
        assertFalse(since.isBefore(before) || since.isAfter(after), since + " not within the command's run");
        assertEquals(Duration.ofHours(1), Duration.between(since, expires));

        Marker onDisk = Marker.parse(Files.readString(stateDir.resolve("node_disabled")));
        assertEquals(new Marker(since, m.group(2), "x", expires), onDisk);
    }

    @Test
    void optionsWithEqualsSigns() throws Exception {
        assertExit(ExitCode.OK, cli("offline", "--reason=cable cut", "--ttl=30m"));
        Marker m = Marker.parse(Files.readString(stateDir.resolve("node_offline")));
        assertEquals("cable cut", m.reason());
        assertEquals(Duration.ofMinutes(30), Duration.between(m.since(), m.expires()));
    }

    @Test
    void statusJson() throws Exception {
        CliRun r = assertExit(ExitCode.OK, cli("status", "--json"));
        assertEquals("{\"running\":false,\"state\":\"enabled\",\"code\":200,\"message\":\"OK\",\"default\":true,"
                + "\"since\":null,\"by\":null,\"reason\":null,\"expires\":null}\n", r.out());

        assertExit(ExitCode.OK, cli("offline", "--reason", "say \"hi\" \\ bye"));
        Marker m = Marker.parse(Files.readString(stateDir.resolve("node_offline")));
        r = cli("status", "--json");
        assertExit(ExitCode.OK, r);
        assertEquals("{\"running\":false,\"state\":\"offline\",\"code\":503,\"message\":\"node is offline\",\"default\":false,"
                + "\"since\":\"" + m.since() + "\",\"by\":\"" + m.by() + "\",\"reason\":\"say \\\"hi\\\" \\\\ bye\",\"expires\":null}\n",
                r.out());
    }

    @Test
    void everyVerbAndStateName() throws Exception {
        for (List<String> step : List.of(List.of("disable", "disabled"), List.of("offline", "offline"), List.of("enable", "enabled"),
                List.of("disabled", "disabled"), List.of("enabled", "enabled"), List.of("offline", "offline"))) {
            CliRun r = assertExit(ExitCode.OK, cli(step.get(0)));
            assertEquals(step.get(1), currentState(), step.get(0));
            assertTrue(r.err().contains("WARNING: plight is not running"), r.err());
        }
    }

    @Test
    void enableRemovesTheMarkers() throws Exception {
        assertExit(ExitCode.OK, cli("offline"));
        assertExit(ExitCode.OK, cli("enable"));
        assertFalse(Files.exists(stateDir.resolve("node_offline")));
        assertFalse(Files.exists(stateDir.resolve("node_disabled")));
        assertTrue(cli("status").out().contains("State: enabled\n"));
    }

    @Test
    void statusReadsMarkersTouchedByHand() throws Exception {
        Files.createDirectories(stateDir);
        Files.createFile(stateDir.resolve("node_offline"));
        CliRun r = cli("status");
        assertEquals("WARNING: plight is not running\nState: offline\nCode: 503\nMessage: node is offline\n", r.out());
    }

    // --- usage: exit 2 ---------------------------------------------------------------------------------------

    @Test
    void unknownCommandListsTheValidOnes() {
        CliRun r = assertExit(ExitCode.USAGE, cli("bogus"));
        assertEquals(2, r.code().status());
        assertTrue(r.err().contains("unknown command 'bogus'"), r.err());
        for (String valid : List.of("start", "stop", "status", "list-states", "enable", "disable", "offline", "version")) {
            assertTrue(r.err().contains(valid), valid + " missing from " + r.err());
        }
        assertEquals("", r.out());
    }

    @Test
    void unknownOption() {
        CliRun r = assertExit(ExitCode.USAGE, cli("status", "--bogus"));
        assertTrue(r.err().contains("--bogus"), r.err());
        assertTrue(r.err().contains("--json"), "the valid options are listed: " + r.err());

        r = cli("disable", "--colour", "blue");
        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().contains("--colour"), r.err());
        assertTrue(r.err().contains("--reason") && r.err().contains("--ttl"), r.err());
        assertEquals("enabled", assertDoesNotChange());
    }

    private String assertDoesNotChange() {
        assertFalse(Files.exists(stateDir.resolve("node_disabled")));
        assertFalse(Files.exists(stateDir.resolve("node_offline")));
        return "enabled";
    }

    /** A usage error exits 2, names what is wrong and changes nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void usageErrorsNameTheProblemAndChangeNothing(List<String> args, String named) {
        CliRun r = assertExit(ExitCode.USAGE, cli(args.toArray(String[]::new)));
        assertTrue(r.err().contains(named), r.err());
        assertDoesNotChange();
    }

    static Stream<Arguments> usageErrorsNameTheProblemAndChangeNothing() {
        return Stream.of(
                arguments(List.of(), "Usage: plight"),
                arguments(List.of("status", "extra"), "extra"),
                arguments(List.of("disable", "--reason"), "--reason"), // an option without its value
                arguments(List.of("disable", "--ttl", "5 parsecs"), "--ttl"),
                arguments(List.of("disable", "--ttl", "parsecs"), "--ttl"),
                arguments(List.of("disable", "--ttl", "-1h"), "--ttl"),
                arguments(List.of("disable", "--ttl", "0"), "--ttl"),
                arguments(List.of("disable", "--ttl", "0s"), "--ttl"),
                arguments(List.of("enable", "--ttl", "1h"), "default state 'enabled'"));
    }

    @Test
    void reasonWithAControlCharacter() {
        CliRun r = assertExit(ExitCode.USAGE, cli("disable", "--reason", "two\nlines"));
        assertDoesNotChange();
    }

    /** NEL, CSI and U+2028 end lines for some readers: refused as the daemon refuses them (RELIABILITY.md, "Security"). */
    @Test
    void reasonWithAC1ControlOrALineSeparator() {
        for (String reason : new String[] {"a\u0085b", "a\u009b31mb", "a\u2028b"}) {
            CliRun r = assertExit(ExitCode.USAGE, cli("disable", "--reason", reason));
            assertTrue(r.err().contains("control characters"), r.err());
            assertDoesNotChange();
        }
    }

    @Test
    void configOptionWithoutAFile() {
        assertExit(ExitCode.USAGE, run(env, "-c"));
    }

    /**
     * A daemon holds its pidfile but its socket is gone, as during a normal stop (the socket closes first): the
     * warning names the stop in progress, not only a restart.
     */
    @Test
    void statusWhileTheSocketIsGoneAndThePidfileHeldNamesAStopInProgress() throws Exception {
        java.nio.file.Path pidFile = new plight.config.ConfigLoader(env).load(conf).pidFile();
        try (plight.control.PidFile held = plight.control.PidFile.acquire(pidFile)) {
            CliRun r = assertExit(ExitCode.OK, cli("status"));
            assertTrue(r.err().contains("plight: warning: plight (pid " + ProcessHandle.current().pid()
                    + ") is running but its control socket "), r::toString);
            assertTrue(r.err().contains(" is missing: it is stopping, or the socket was removed (then restart it)"), r::toString);
        }
    }

    // --- help ------------------------------------------------------------------------------------------------

    @Test
    void helpListsEveryCommand() {
        CliRun r = assertExit(ExitCode.OK, cli("--help"));
        assertTrue(r.out().startsWith("Usage: plight [-c FILE] <command> [options]\n"), r.out());
        for (String cmd : List.of("start", "stop", "status", "list-states", "enable", "disable", "offline", "version")) {
            assertTrue(Pattern.compile("(?m)^  " + Pattern.quote(cmd) + " ").matcher(r.out()).find(), cmd + " missing from\n" + r.out());
        }
    }

    /** Each command's help says what that command does: stats is not status. */
    @Test
    void statsHelpDescribesStats() {
        CliRun r = assertExit(ExitCode.OK, cli("stats", "--help"));
        assertTrue(r.out().startsWith("Show probes served, open connections and probe sources\n"), r.out());
    }

    @Test
    void commandHelp() {
        CliRun r = assertExit(ExitCode.OK, cli("disable", "--help"));
        assertTrue(r.out().contains("--reason") && r.out().contains("--ttl"), r.out());
        r = cli("status", "--help");
        assertExit(ExitCode.OK, r);
        assertTrue(r.out().contains("--json"), r.out());
        assertDoesNotChange();
    }

    @Test
    void customVerbsFromTheConfig() throws Exception {
        conf = write("custom.conf", "[priorities]\nstates = enabled,draining,maintenance,offline\n"
                + "[enabled]\ncode = 200\nmessage = OK\n"
                + "[draining]\nfile = @DIR@/state/node_draining\ncode = 200\nmessage = draining\ncommand = drain\n"
                + "[maintenance]\nfile = @DIR@/state/node_maintenance\ncode = 503\nmessage = under maintenance\n"
                + "[offline]\nfile = @DIR@/state/node_offline\ncode = 503\nmessage = node is offline\n");
        CliRun help = assertExit(ExitCode.OK, cli("--help"));
        for (String verb : List.of("enable", "drain", "maintenance", "offline")) {
            assertTrue(Pattern.compile("(?m)^  " + verb + " ").matcher(help.out()).find(), verb + " missing from\n" + help.out());
        }
        assertFalse(help.out().contains("  disable "), help.out());

        assertExit(ExitCode.OK, cli("drain", "--reason", "deploy"));
        assertTrue(cli("status").out().contains("State: draining\nCode: 200\nMessage: draining\n"));
        assertExit(ExitCode.OK, cli("maintenance"));
        assertTrue(cli("status").out().contains("State: maintenance\n"));
        assertExit(ExitCode.OK, cli("draining"));
        assertTrue(cli("status").out().contains("State: draining\n"));

        CliRun old = assertExit(ExitCode.USAGE, cli("disable"));
        assertTrue(old.err().contains("drain"), old.err());

        assertEquals("State: enabled [default]\nCode: 200\nMessage: OK\n\nState: draining\nCode: 200\nMessage: draining\n\n"
                + "State: maintenance\nCode: 503\nMessage: under maintenance\n\nState: offline\nCode: 503\nMessage: node is offline\n\n",
                cli("list-states").out());
    }

    // --- configuration: exit 78 ------------------------------------------------------------------------------

    @Test
    void badConfigNamesFileAndLine() throws Exception {
        conf = write("bad.conf", Confs.ORIGINAL_IN_DIR.replace("code = 503", "code = 600"));
        // reload too: with no daemon to refuse it, the file's error is all there is to say.
        for (String cmd : List.of("status", "list-states", "disable", "--help", "reload")) {
            CliRun r = assertExit(ExitCode.BAD_CONFIG, cli(cmd));
            assertEquals(78, r.code().status());
            assertTrue(r.err().startsWith("plight: " + conf + ":28: "), r.err());
            assertTrue(r.err().contains("600"), r.err());
            assertEquals(1, r.err().split("\n").length, "one line: " + r.err());
        }
        assertDoesNotChange();
    }

    @Test
    void missingConfigFile() {
        conf = dir.resolve("nope.conf");
        CliRun r = assertExit(ExitCode.BAD_CONFIG, cli("status"));
        assertTrue(r.err().contains(conf.toString()), r.err());
    }

    @Test
    void configFromTheEnvironment() {
        Map<String, String> vars = new HashMap<>(env.variables());
        vars.put("PLIGHT_CONF", conf.toString());
        CliRun r = run(new Environment(vars, env.uid()), "list-states");
        assertExit(ExitCode.OK, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());
    }

    @Test
    void configOptionWithEquals() {
        CliRun r = run(env, "--config=" + conf, "list-states");
        assertExit(ExitCode.OK, r);
        assertEquals(Confs.ORIGINAL_LIST_STATES, r.out());
    }

    // --- the daemon is not running: exit 3 for what only it can do --------------------------------------------

    @Test
    void stopWithoutADaemon() {
        CliRun r = assertExit(ExitCode.NOT_RUNNING, cli("stop"));
        assertEquals(3, r.code().status());
        assertTrue(r.err().contains("not running"), r.err());
    }

    @Test
    void reloadAndStatsWithoutADaemon() {
        assertExit(ExitCode.NOT_RUNNING, cli("reload"));
        assertExit(ExitCode.NOT_RUNNING, cli("stats"));
    }

    // --- could not persist: exit 1 ---------------------------------------------------------------------------

    @Test
    void unwritableStateDirectory() throws Exception {
        assertExit(ExitCode.OK, cli("disable", "--reason", "before"));
        try (ReadOnlyDir ro = ReadOnlyDir.of(stateDir)) {
            CliRun r = assertExit(ExitCode.FAILED, cli("offline", "--reason", "after"));
            assertEquals(1, r.code().status());
            assertTrue(r.err().contains(ro.expectedReason()), r.err());
            assertTrue(r.err().contains("offline"), r.err());
            CliRun status = cli("status");
            assertTrue(status.out().contains("State: disabled\n") && status.out().contains("Reason: before\n"), status.out());
        }
    }

    /** The issue's case: the asked state is served, so the command succeeded; the leftover is a warning. */
    @Test
    void offlineWhileTheDisabledMarkerIsADirectoryWithFilesSucceeds() throws Exception {
        Path disabled = stateDir.resolve("node_disabled");
        Files.writeString(Files.createDirectories(disabled).resolve("keep"), "x");
        CliRun r = assertExit(ExitCode.OK, cli("offline"));
        assertTrue(r.err().contains("plight: warning: cannot remove " + disabled + ": directory not empty\n"), r::toString);
        assertTrue(cli("status").out().contains("State: offline\n"));

        CliRun back = assertExit(ExitCode.FAILED, cli("enable"));
        assertTrue(back.err().contains("cannot remove " + disabled + ": directory not empty"), back::toString);
        assertTrue(back.err().contains("'disabled'"), () -> "says what is served now: " + back);
        assertEquals("disabled", currentState());
    }

    /** A marker whose existence cannot be checked (a link to itself here; EACCES as another user) is never "enabled". */
    @Test
    void statusSaysWhenItCannotCheckTheStateFiles() throws Exception {
        assertExit(ExitCode.OK, cli("disable"));
        Path disabled = stateDir.resolve("node_disabled");
        Files.delete(disabled);
        Files.createSymbolicLink(disabled, disabled.getFileName());
        CliRun r = assertExit(ExitCode.FAILED, cli("status"));
        assertFalse(r.out().contains("enabled"), r::toString);
        assertTrue(r.err().contains("cannot check whether " + disabled + " exists: "), r::toString);
        CliRun json = assertExit(ExitCode.FAILED, cli("status", "--json"));
        assertEquals("", json.out());
    }

    // --- version ---------------------------------------------------------------------------------------------

    @Test
    void version() {
        for (CliRun r : List.of(run(env, "version"), run(env, "--version"), cli("version"), cli("--version"),
                run(env, "--config=" + conf, "--version"))) {
            assertExit(ExitCode.OK, r);
            assertTrue(r.out().matches("plight \\S+\n"), r.out());
        }
    }

    // --- issue 9: --wait options, wait drained, list-states' agent lines --------------------------------------

    @Test
    void listStatesAddsEachAgentLineWhenTheAgentPortIsOnOrAskedForAndOnlyThen() throws Exception {
        String expectedWithAgent = Confs.ORIGINAL_LIST_STATES.replace("Message: OK\n", "Message: OK\nAgent: up ready\n")
                .replace("Message: node is unavailable\n", "Message: node is unavailable\nAgent: up drain\n")
                .replace("Message: node is offline\n", "Message: node is offline\nAgent: down # node is offline\n");
        assertEquals(Confs.ORIGINAL_LIST_STATES, cli("list-states").out());
        assertEquals(expectedWithAgent, cli("list-states", "--agent").out());
        conf = write("agent.conf", Confs.ORIGINAL_IN_DIR + "\n[agent]\nport = 10102\n");
        assertEquals(expectedWithAgent, cli("list-states").out());
    }

    @Test
    void waitOptionsWithoutWaitOrOutOfRangeAreUsageErrorsAndChangeNothing() throws Exception {
        for (String[] args : new String[][] {{"disable", "--fall", "2"}, {"disable", "--window", "30s"},
                {"disable", "--require-sources", "1"}, {"disable", "--wait=0s"}, {"disable", "--wait", "--fall", "0"},
                {"disable", "--wait=soon"}, {"disable", "--wait", "--window=-1s"}, {"disable", "--wait", "30s"}}) {
            CliRun r = assertExit(ExitCode.USAGE, cli(args));
            assertEquals("enabled", currentState(), String.join(" ", args));
        }
    }

    @Test
    void waitWithoutTheDaemonSavesTheStateAndFailsSayingNothingCanConfirm() throws Exception {
        CliRun r = assertExit(ExitCode.FAILED, cli("disable", "--wait=1s", "--json"));
        assertEquals("disabled", currentState());
        assertTrue(r.err().contains("cannot wait for the load balancers: plight is not running"), r::toString);
        assertEquals("{\"running\":false,\"state\":\"disabled\",\"code\":404,\"message\":\"node is unavailable\",\"warnings\":[],"
                + "\"wait\":{\"result\":\"not-running\",\"elapsed_ms\":0,\"confirmed\":[],\"lagging\":[],"
                + "\"error\":\"cannot wait for the load balancers: plight is not running\"}}\n", r.out());
    }

    @Test
    void jsonWithoutWaitPrintsTheStateServed() throws Exception {
        CliRun r = assertExit(ExitCode.OK, cli("offline", "--json"));
        assertEquals("{\"running\":false,\"state\":\"offline\",\"code\":503,\"message\":\"node is offline\",\"warnings\":[],"
                + "\"wait\":null}\n", r.out());
    }

    @Test
    void waitDrainedUsage() {
        assertExit(ExitCode.USAGE, cli("wait"));
        assertExit(ExitCode.USAGE, cli("wait", "undrained", "--port", "80"));
        assertExit(ExitCode.USAGE, cli("wait", "drained"));
        assertExit(ExitCode.USAGE, cli("wait", "drained", "--port", "0"));
        assertExit(ExitCode.USAGE, cli("wait", "drained", "--port", "80", "--max", "-1"));
        assertExit(ExitCode.USAGE, cli("wait", "drained", "--port", "80", "--timeout", "never"));
        assertExit(ExitCode.USAGE, cli("wait", "drained", "--port", "http"));
    }

    @Test
    void waitDrainedOnPortsWorksWithoutTheDaemon() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            CliRun idle = assertExit(ExitCode.OK, cli("wait", "drained", "--port", Integer.toString(port), "--timeout", "5s"));
            assertTrue(idle.out().startsWith("drained in "), idle::toString);
            try (java.net.Socket client = new java.net.Socket(server.getInetAddress(), port); java.net.Socket accepted = server.accept()) {
                CliRun held = assertExit(ExitCode.FAILED, cli("wait", "drained", "--port", Integer.toString(port), "--timeout", "300ms"));
                assertTrue(held.err().contains("not drained after") && held.err().contains("port " + port + ": 1 established"), held::toString);
                assertExit(ExitCode.OK, cli("wait", "drained", "--port", Integer.toString(port), "--max", "1", "--timeout", "1s"));
            }
        }
    }

    @Test
    void waitDrainedLbNeedsTheDaemon() {
        assertExit(ExitCode.NOT_RUNNING, cli("wait", "drained", "--lb", "--timeout", "1s"));
    }
}
