package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.state.State;

/** Which configuration is used ({@code -c} &gt; {@code $PLIGHT_CONF} &gt; system file &gt; built-in), and the built-in defaults. */
class ResolutionTest {
    @TempDir
    Path dir;

    private Path explicit;
    private Path fromEnv;
    private Path system;

    @BeforeEach
    void files() throws Exception {
        explicit = Files.writeString(dir.resolve("explicit.conf"), "[webserver]\nport = 1001\n");
        fromEnv = Files.writeString(dir.resolve("env.conf"), "[webserver]\nport = 1002\n");
        system = Files.writeString(dir.resolve("system.conf"), "[webserver]\nport = 1003\n");
    }

    private static Environment root(Map<String, String> vars) {
        return new Environment(vars, 0);
    }

    @Test
    void explicitFileWinsOverEverything() throws Exception {
        ConfigLoader l = new ConfigLoader(root(Map.of("PLIGHT_CONF", fromEnv.toString())), system);
        assertEquals(Optional.of(explicit), l.resolve(explicit));
        Config c = l.load(explicit);
        assertEquals(1001, c.web().port());
        assertEquals(explicit, c.source());
    }

    @Test
    void environmentWinsOverTheSystemFile() throws Exception {
        ConfigLoader l = new ConfigLoader(root(Map.of("PLIGHT_CONF", fromEnv.toString())), system);
        assertEquals(Optional.of(fromEnv), l.resolve(null));
        assertEquals(1002, l.load(null).web().port());
    }

    @Test
    void systemFileWhenItExists() throws Exception {
        ConfigLoader l = new ConfigLoader(root(Map.of()), system);
        assertEquals(Optional.of(system), l.resolve(null));
        assertEquals(1003, l.load(null).web().port());
    }

    @Test
    void emptyPlightConfIsUnset() throws Exception {
        ConfigLoader l = new ConfigLoader(root(Map.of("PLIGHT_CONF", "")), system);
        assertEquals(1003, l.load(null).web().port());
    }

    @Test
    void builtInDefaultsWhenNothingExists() throws Exception {
        ConfigLoader l = new ConfigLoader(root(Map.of()), dir.resolve("absent.conf"));
        assertEquals(Optional.empty(), l.resolve(null));
        Config c = l.load(null);
        assertNull(c.source());
        assertEquals("built-in defaults", c.describeSource());
        assertEquals(10101, c.web().port());
        assertEquals(List.of("0.0.0.0"), c.web().hosts());
        assertEquals(List.of("enabled", "disabled", "offline"), c.states().states().stream().map(State::name).toList());
        assertEquals(List.of("enable", "disable", "offline"), c.states().verbs());
        assertEquals(List.of(200, 404, 503), c.states().states().stream().map(State::code).toList());
        assertEquals(List.of("up ready", "up drain", "down # node is offline"),
                c.states().states().stream().map(State::agentLine).toList());
        assertEquals(List.of(), c.warnings());
    }

    /** A file named by -c or $PLIGHT_CONF that does not exist is an error, never a silent fall-back. */
    @Test
    void namedButMissingFileIsAnError() {
        Path missing = dir.resolve("missing.conf");
        ConfigLoader viaEnv = new ConfigLoader(root(Map.of("PLIGHT_CONF", missing.toString())), system);
        ConfigException e = assertThrows(ConfigException.class, () -> viaEnv.load(null));
        assertEquals(missing, e.file());
        assertTrue(e.getMessage().startsWith(missing + ": "), e.getMessage());
        ConfigLoader plain = new ConfigLoader(root(Map.of()), system);
        assertEquals(missing, assertThrows(ConfigException.class, () -> plain.load(missing)).file());
    }

    @Test
    void rootDefaults() {
        Config c = new ConfigLoader(root(Map.of("HOME", dir.toString(), "XDG_RUNTIME_DIR", dir.toString())), dir.resolve("absent"))
                .defaults();
        assertEquals(Path.of("/var/lib/plight/node_disabled"), c.states().byName("disabled").orElseThrow().file());
        assertEquals(Path.of("/var/lib/plight/node_offline"), c.states().byName("offline").orElseThrow().file());
        assertEquals(Path.of("/run/plight/control.sock"), c.control().socket());
        assertEquals(0660, c.control().mode());
        assertEquals("plight", c.control().group());
        assertEquals(Path.of("/run/plight/plight.pid"), c.pidFile());
        assertEquals(Path.of("/var/log/plight/access.log"), c.web().accessLog().file());
        assertEquals(Path.of("/var/log/plight/plight.log"), c.appLog().file());
    }

    @Test
    void plainUserDefaultsUnderHomeAndRuntimeDir() {
        Path home = dir.resolve("home");
        Path run = dir.resolve("run");
        Config c = new ConfigLoader(new Environment(Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", run.toString()), 1000),
                dir.resolve("absent")).defaults();
        Path state = home.resolve(".local/state/plight");
        assertEquals(state.resolve("node_disabled"), c.states().byName("disabled").orElseThrow().file());
        assertEquals(state.resolve("node_offline"), c.states().byName("offline").orElseThrow().file());
        assertTrue(c.control().socket().startsWith(run), c.control().socket().toString());
        assertEquals(run.resolve("plight/control.sock"), c.control().socket());
        assertTrue(c.pidFile().startsWith(run), c.pidFile().toString());
        assertNull(c.control().group(), "a plain user's socket keeps the user's own group");
        assertTrue(c.web().accessLog().file().startsWith(home), c.web().accessLog().file().toString());
        assertTrue(c.appLog().file().startsWith(home), c.appLog().file().toString());
    }

    @Test
    void plainUserWithXdgStateHome() {
        Path xdg = dir.resolve("xdg-state");
        Config c = new ConfigLoader(new Environment(Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", xdg.toString(),
                "XDG_RUNTIME_DIR", dir.resolve("run").toString()), 1000), dir.resolve("absent")).defaults();
        assertEquals(xdg.resolve("plight/node_disabled"), c.states().byName("disabled").orElseThrow().file());
    }

    @Test
    void plainUserWithoutRuntimeDirUsesTmpPerUid() {
        Config c = new ConfigLoader(new Environment(Map.of("HOME", dir.toString()), 1234), dir.resolve("absent")).defaults();
        assertEquals(Path.of("/tmp/plight-1234/control.sock"), c.control().socket());
        assertEquals(Path.of("/tmp/plight-1234/plight.pid"), c.pidFile());
    }

    /**
     * A daemon that systemd (or the init script) starts as the service user gets its directories handed to it
     * ({@code RuntimeDirectory=}, {@code StateDirectory=}, {@code LogsDirectory=}): the built-in defaults use them, so
     * that a config without {@code [control]} and {@code [daemon]} (the original plight's) puts the socket and the
     * pidfile where root's CLI looks for them, /run/plight, and not in the service user's private /tmp.
     */
    @Test
    void aServiceUserGetsTheDirectoriesTheServiceManagerHandsIt() throws Exception {
        Path run = dir.resolve("run/plight");
        Path state = dir.resolve("lib/plight");
        Path logs = dir.resolve("log/plight");
        Environment service = new Environment(Map.of("HOME", dir.resolve("home").toString(), "XDG_RUNTIME_DIR", dir.resolve("xdg").toString(),
                "RUNTIME_DIRECTORY", run + ":" + dir.resolve("second"), "STATE_DIRECTORY", state.toString(),
                "LOGS_DIRECTORY", logs.toString()), 999);
        Config c = new ConfigLoader(service, dir.resolve("absent")).defaults();
        assertEquals(run.resolve("control.sock"), c.control().socket());
        assertEquals(run.resolve("plight.pid"), c.pidFile());
        assertEquals(state.resolve("node_disabled"), c.states().byName("disabled").orElseThrow().file());
        assertEquals(logs.resolve("plight.log"), c.appLog().file());
        assertEquals(logs.resolve("access.log"), c.web().accessLog().file());

        Path original = Files.writeString(dir.resolve("original.conf"), "[webserver]\nport = 10101\n[enabled]\ncode = 200\n"
                + "[disabled]\nfile = /var/lib/plight/node_disabled\ncode = 404\n[offline]\nfile = /var/lib/plight/node_offline\ncode = 503\n");
        Config fromFile = new ConfigLoader(service, dir.resolve("absent")).loadFile(original);
        assertEquals(run.resolve("control.sock"), fromFile.control().socket());
        assertEquals(run.resolve("plight.pid"), fromFile.pidFile());
    }

    @Test
    void emptyXdgVariablesAreUnset() {
        Config c = new ConfigLoader(new Environment(Map.of("HOME", dir.toString(), "XDG_STATE_HOME", "", "XDG_RUNTIME_DIR", ""), 1234),
                dir.resolve("absent")).defaults();
        assertEquals(dir.resolve(".local/state/plight/node_offline"), c.states().byName("offline").orElseThrow().file());
        assertEquals(Path.of("/tmp/plight-1234/control.sock"), c.control().socket());
    }

    @Test
    void theDefaultsOfAPlainUserApplyToAFileThatLeavesThemOut() throws Exception {
        Path conf = Files.writeString(dir.resolve("p.conf"), "[webserver]\nport = 10199\n");
        Config c = new ConfigLoader(new Environment(Map.of("HOME", dir.toString()), 1000), dir.resolve("absent")).loadFile(conf);
        assertEquals(10199, c.web().port());
        assertEquals(dir.resolve(".local/state/plight/node_disabled"), c.states().byName("disabled").orElseThrow().file());
    }

    @Test
    void theDaemonsFilesOfAConfigurationThatDoesNotLoadAreTheOnesItNames() throws Exception {
        ConfigLoader l = new ConfigLoader(root(Map.of()), system);
        String named = "[control]\nsocket = run/c.sock\n[daemon]\npidfile = run/p.pid\n";
        ConfigLoader.DaemonFiles expected = new ConfigLoader.DaemonFiles(dir.resolve("run/p.pid"), dir.resolve("run/c.sock"));
        for (String broken : List.of("[offline]\ncode = 999\n", "[webserver]\nport = x\n", "[priorities]\nstates = a,a\n",
                "this is no key\n[disabled]\nagent = upp ready\n", "[webserver]\nport = 1\nport = 2\n[bad\n")) {
            Path file = Files.writeString(dir.resolve("broken.conf"), broken + named);
            assertThrows(ConfigException.class, () -> l.load(file), broken);
            assertEquals(Optional.of(expected), l.daemonFiles(file), broken);
        }
        // Without the file's own word, another daemon's files could be named: none.
        for (String unsure : List.of("[control]\nsocket = \n", "[control]\nsocket = a\nsocket = b\n", "[daemon]\npidfile = \n")) {
            Path file = Files.writeString(dir.resolve("unsure.conf"), unsure);
            assertEquals(Optional.empty(), l.daemonFiles(file), unsure);
        }
        assertEquals(Optional.empty(), l.daemonFiles(dir.resolve("missing.conf")));
        Config defaults = l.defaults();
        assertEquals(Optional.of(new ConfigLoader.DaemonFiles(defaults.pidFile(), defaults.control().socket())),
                new ConfigLoader(root(Map.of()), dir.resolve("no-system.conf")).daemonFiles(null));
    }
}
