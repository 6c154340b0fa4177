package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import plight.state.State;
import plight.state.StateTable;

/** States beyond the classic three: their verbs, headers and agent lines. */
class CustomStatesTest extends WithConfigFile {
    private ConfigException refused(String text) throws Exception {
        Path file = write(text);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertTrue(e.getMessage().startsWith(file + ":" + e.line() + ": "), e.getMessage());
        return e;
    }

    private static String states(String priorities, String... sections) {
        return "[priorities]\nstates = " + priorities + "\n" + String.join("", sections);
    }

    private static final String ENABLED = "[enabled]\ncode = 200\nmessage = OK\n";
    private static final String DISABLED = "[disabled]\nfile = s/node_disabled\ncode = 404\nmessage = node is unavailable\n";
    private static final String OFFLINE = "[offline]\nfile = s/node_offline\ncode = 503\nmessage = node is offline\n";

    @Test
    void customStateWithItsOwnVerb() throws Exception {
        Config c = load(states("enabled, draining, disabled, maintenance, offline", ENABLED,
                "[draining]\nfile = s/node_draining\ncode = 200\nmessage = draining\ncommand = drain\n",
                DISABLED,
                "[maintenance]\nfile = /srv/flags/maint\ncode = 503\nmessage = under maintenance\n",
                OFFLINE));
        StateTable t = c.states();
        assertEquals(List.of("enabled", "draining", "disabled", "maintenance", "offline"),
                t.states().stream().map(State::name).toList());
        assertEquals(List.of(0, 1, 2, 3, 4), t.states().stream().map(State::priority).toList());
        assertEquals(List.of("enable", "drain", "disable", "maintenance", "offline"), t.verbs());
        assertEquals("draining", t.byVerbOrName("drain").orElseThrow().name());
        assertEquals("draining", t.byVerbOrName("draining").orElseThrow().name());
        assertEquals("maintenance", t.byVerbOrName("maintenance").orElseThrow().name());
        // Relative paths are relative to the configuration file's directory.
        assertEquals(dir.resolve("s/node_draining"), t.byName("draining").orElseThrow().file());
        assertEquals(Path.of("/srv/flags/maint"), t.byName("maintenance").orElseThrow().file());
    }

    @Test
    void classicStatesKeepTheirVerbsWithoutACommandKey() throws Exception {
        StateTable t = load(states("enabled,disabled,offline", ENABLED, DISABLED, OFFLINE)).states();
        assertEquals(List.of("enable", "disable", "offline"), t.verbs());
    }

    @Test
    void commandIsCaseFolded() throws Exception {
        StateTable t = load(states("enabled,disabled", ENABLED, DISABLED + "command = Drain\n")).states();
        assertEquals(List.of("enable", "drain"), t.verbs());
    }

    @Test
    void verbCollidingWithABuiltInCommand() throws Exception {
        for (String builtIn : List.of("start", "stop", "status", "list-states", "reload", "stats", "wait", "version", "help")) {
            ConfigException e = refused(states("enabled,disabled", ENABLED, DISABLED + "command = " + builtIn + "\n"));
            assertEquals(10, e.line(), builtIn);
            assertTrue(e.problem().contains("'" + builtIn + "', which is a built-in command"), e.getMessage());
        }
    }

    @Test
    void stateNamedAfterABuiltInCommandNeedsAnotherVerb() throws Exception {
        ConfigException e = refused(states("enabled,stop", ENABLED, "[stop]\nfile = s/stop\ncode = 503\n"));
        assertEquals(6, e.line());
        assertTrue(e.problem().contains("built-in command"), e.getMessage());
        // ... and is fine with one.
        StateTable t = load(states("enabled,stop", ENABLED, "[stop]\nfile = s/stop\ncode = 503\ncommand = halt\n")).states();
        assertEquals("stop", t.byVerbOrName("halt").orElseThrow().name());
    }

    @Test
    void twoStatesWithTheSameVerb() throws Exception {
        ConfigException e = refused(states("enabled,disabled,offline", ENABLED, DISABLED, OFFLINE + "command = disable\n"));
        assertEquals(10, e.line());
        assertTrue(e.problem().contains("has the command 'disable' of state 'disabled'"), e.getMessage());
    }

    @Test
    void verbThatIsTheNameOfAnotherState() throws Exception {
        ConfigException e = refused(states("enabled,disabled,offline", ENABLED, DISABLED + "command = offline\n", OFFLINE));
        assertTrue(e.problem().contains("'offline'"), e.getMessage());
    }

    @Test
    void invalidCommand() throws Exception {
        ConfigException e = refused(states("enabled,disabled", ENABLED, DISABLED + "command = go away\n"));
        assertEquals(10, e.line());
        assertTrue(e.problem().contains("command 'go away' is not valid"), e.getMessage());
    }

    @Test
    void invalidStateName() throws Exception {
        ConfigException e = refused(states("enabled,Bad State", ENABLED));
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("state name 'Bad State' is not valid"), e.getMessage());
    }

    @Test
    void headersOfAState() throws Exception {
        Config c = load(states("enabled,disabled", ENABLED, DISABLED
                + "header.x-envoy-immediate-health-check-fail = true\n"
                + "header.Retry-After = 120\n"));
        State d = c.states().byName("disabled").orElseThrow();
        assertEquals(List.of(Map.entry("x-envoy-immediate-health-check-fail", "true"), Map.entry("Retry-After", "120")),
                List.copyOf(d.headers().entrySet()));
        assertEquals(Map.of(), c.states().byName("enabled").orElseThrow().headers());
    }

    @Test
    void plightsOwnHeadersAreRefused() throws Exception {
        for (String own : List.of("Server", "Date", "Content-Type", "content-length", "Cache-Control", "X-Plight-State",
                "Connection", "Transfer-Encoding", "Keep-Alive")) {
            ConfigException e = refused(states("enabled,disabled", ENABLED, DISABLED + "header." + own + " = x\n"));
            assertEquals(10, e.line(), own);
            assertTrue(e.problem().contains("plight sets the " + own + " header itself"), e.getMessage());
        }
    }

    @Test
    void invalidHeaderName() throws Exception {
        ConfigException e = refused(states("enabled,disabled", ENABLED, DISABLED + "header.x(y) = 1\n"));
        assertEquals(10, e.line());
        assertTrue(e.problem().contains("not a valid header name"), e.getMessage());
        e = refused(states("enabled,disabled", ENABLED, DISABLED + "header. = 1\n"));
        assertTrue(e.problem().contains("not a valid header name"), e.getMessage());
    }

    @Test
    void agentLineDefaults() throws Exception {
        Config c = load(states("enabled,warm,draining,limited,offline",
                "[enabled]\ncode = 503\nmessage = standby\n",                         // the default state, whatever its code
                "[warm]\nfile = s/warm\ncode = 204\nmessage = warm\n",                  // 2xx
                "[draining]\nfile = s/draining\ncode = 404\nmessage = draining\n",     // 404
                "[limited]\nfile = s/limited\ncode = 429\nmessage = too busy\n",        // anything else
                "[offline]\nfile = s/offline\ncode = 503\nmessage = node is offline\n"));
        StateTable t = c.states();
        assertEquals("up ready", t.byName("enabled").orElseThrow().agentLine());
        assertEquals("up ready", t.byName("warm").orElseThrow().agentLine());
        assertEquals("up drain", t.byName("draining").orElseThrow().agentLine());
        assertEquals("down # too busy", t.byName("limited").orElseThrow().agentLine());
        assertEquals("down # node is offline", t.byName("offline").orElseThrow().agentLine());
    }

    @Test
    void explicitAgentLineWins() throws Exception {
        Config c = load(states("enabled,disabled", ENABLED + "agent = up 100%\n", DISABLED + "agent = maint\n"));
        assertEquals("up 100%", c.states().byName("enabled").orElseThrow().agentLine());
        assertEquals("maint", c.states().byName("disabled").orElseThrow().agentLine());
    }

    /** HAProxy shows the text after '#' in an agent line as the reason: it must survive the INI reader. */
    @Test
    void agentLineMayCarryAHashReason() throws Exception {
        Config c = load(states("enabled,disabled", ENABLED, DISABLED + "agent = down # planned maintenance ; a comment\n"));
        assertEquals("down # planned maintenance", c.states().byName("disabled").orElseThrow().agentLine());
    }

    @Test
    void messageDefaultsToTheStateName() throws Exception {
        Config c = load(states("enabled,disabled", ENABLED, "[disabled]\nfile = s/d\ncode = 404\n"));
        assertEquals("disabled", c.states().byName("disabled").orElseThrow().message());
    }

    @Test
    void sectionsNotListedInPrioritiesAreWarnedAbout() throws Exception {
        Config c = load(states("enabled,disabled", ENABLED, DISABLED, OFFLINE));
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains(dir.resolve("plight.conf") + ":10: section [offline]"), c.warnings().get(0));
        assertEquals(List.of("enabled", "disabled"), c.states().states().stream().map(State::name).toList());
    }

    @Test
    void extensionsAreRead() throws Exception {
        Config c = load("[webserver]\nhost = 127.0.0.1, [::1]\nport = 0\nidle_timeout = 2m\nrequest_timeout = 500ms\n"
                + "max_connections = 50\nthreads = 2\nloglevel = OFF\n"
                + "[control]\nsocket = run/ctl.sock\nmode = 0600\ngroup = ops\n"
                + "[agent]\nport = 10102\nhost = ::\n"
                + "[daemon]\npidfile = /run/x/plight.pid\n");
        assertEquals(List.of("127.0.0.1", "::1"), c.web().hosts());
        assertEquals(0, c.web().port());
        assertEquals(java.time.Duration.ofMinutes(2), c.web().idleTimeout());
        assertEquals(java.time.Duration.ofMillis(500), c.web().requestTimeout());
        assertEquals(50, c.web().maxConnections());
        assertEquals(2, c.web().threads());
        assertTrue(c.web().accessLog().isOff());
        assertEquals(new ControlSettings(dir.resolve("run/ctl.sock"), 0600, "ops"), c.control());
        assertEquals(10102, c.agent().port());
        assertEquals(List.of("::"), c.agent().hosts());
        assertEquals(Path.of("/run/x/plight.pid"), c.pidFile());
        // No [priorities]: the classic three.
        assertEquals(List.of("enabled", "disabled", "offline"), c.states().states().stream().map(State::name).toList());
    }

    @Test
    void badMode() throws Exception {
        ConfigException e = refused("[control]\nmode = 0999\n");
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("not an octal permission"), e.getMessage());
    }
}
