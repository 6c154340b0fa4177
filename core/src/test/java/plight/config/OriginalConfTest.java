package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.state.State;
import plight.state.StateTable;
import plight.testkit.Confs;

/** The original plight's plight.conf, as SPEC quotes it, loads unchanged and means what it meant. */
class OriginalConfTest {
    @TempDir
    Path dir;

    private Config load(Environment env, String text) throws Exception {
        return new ConfigLoader(env, dir.resolve("absent.conf")).loadFile(Confs.write(dir.resolve("plight.conf"), text));
    }

    @Test
    void originalLoadsWithTheOriginalMeaning() throws Exception {
        Config c = load(new Environment(Map.of(), 0), Confs.ORIGINAL);

        assertEquals(dir.resolve("plight.conf"), c.source());
        assertEquals(List.of(), c.warnings());

        WebSettings web = c.web();
        assertEquals(List.of("0.0.0.0"), web.hosts());
        assertEquals(10101, web.port());
        assertEquals("plight", web.user());
        assertEquals("plight", web.group());
        assertEquals(new LogSettings(Path.of("/var/log/plight/access.log"), "info", 1_024_000L, 10), web.accessLog());
        assertEquals(Duration.ofSeconds(60), web.idleTimeout());
        assertEquals(Duration.ofSeconds(5), web.requestTimeout());
        assertEquals(10000, web.maxConnections());
        assertEquals(1, web.threads());
        assertEquals(new LogSettings(Path.of("/var/log/plight/plight.log"), "info", 1_024_000L, 10), c.appLog());

        assertEquals(new ControlSettings(Path.of("/run/plight/control.sock"), 0660, "plight"), c.control());
        assertEquals(0, c.agent().port());
        assertEquals(false, c.agent().enabled());
        assertEquals(Path.of("/run/plight/plight.pid"), c.pidFile());

        StateTable t = c.states();
        assertEquals(List.of(
                new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0),
                new State("disabled", Path.of("/var/lib/plight/node_disabled"), 404, "node is unavailable", "disable", "up drain", Map.of(), 1),
                new State("offline", Path.of("/var/lib/plight/node_offline"), 503, "node is offline", "offline",
                        "down # node is offline", Map.of(), 2)),
                t.states());
        assertEquals("enabled", t.defaultState().name());
        assertEquals(List.of("enable", "disable", "offline"), t.verbs());
        assertEquals(List.of("offline", "disabled", "enabled"), t.highestFirst().stream().map(State::name).toList());
        for (String word : List.of("enable", "enabled", "ENABLE")) {
            assertEquals("enabled", t.byVerbOrName(word).orElseThrow().name(), word);
        }
        assertEquals("disabled", t.byVerbOrName("disabled").orElseThrow().name());
        assertEquals("disabled", t.byVerbOrName("disable").orElseThrow().name());
        assertTrue(t.byVerbOrName("drain").isEmpty());
    }

    @Test
    void crlfLineEndingsLoadTheSame() throws Exception {
        Environment root = new Environment(Map.of(), 0);
        Config lf = load(root, Confs.ORIGINAL);
        Config crlf = load(root, Confs.ORIGINAL.replace("\n", "\r\n"));
        assertEquals(lf.states().states(), crlf.states().states());
        assertEquals(lf.web(), crlf.web());
    }

    @Test
    void asPlainUserTheFilesOfTheOriginalStayWhereItSays() throws Exception {
        Path home = dir.resolve("home");
        Config c = load(new Environment(Map.of("HOME", home.toString()), 1000), Confs.ORIGINAL);
        assertEquals(Path.of("/var/lib/plight/node_disabled"), c.states().byName("disabled").orElseThrow().file());
        assertEquals(Path.of("/var/log/plight/access.log"), c.web().accessLog().file());
        // What the file does not set follows the per-user defaults.
        assertEquals(Path.of("/tmp/plight-1000/control.sock"), c.control().socket());
        assertEquals("plight", c.control().group(), "[webserver] group is set, so the socket group follows it");
    }

    /** The configuration shipped in conf/plight.conf: its agent lines are meant as written. */
    @Test
    void shippedConfLoadsWithItsAgentLines() throws Exception {
        Path shipped = Path.of("..", "conf", "plight.conf").toAbsolutePath().normalize();
        Config c = new ConfigLoader(new Environment(Map.of(), 0), dir.resolve("absent.conf")).loadFile(shipped);
        StateTable t = c.states();
        assertEquals(List.of("enabled", "disabled", "offline"), t.states().stream().map(State::name).toList());
        assertEquals("up ready", t.byName("enabled").orElseThrow().agentLine());
        assertEquals("up drain", t.byName("disabled").orElseThrow().agentLine());
        // "agent = down # node is offline": the '#' is part of HAProxy's agent line (text after it is shown as
        // the reason), not a comment; the original's ConfigParser only knew ';' inline comments.
        assertEquals("down # node is offline", t.byName("offline").orElseThrow().agentLine());
        assertNull(c.states().defaultState().file());
    }
}
