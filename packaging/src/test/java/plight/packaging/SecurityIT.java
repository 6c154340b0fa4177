package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.control.ControlClient;
import plight.control.Reply;
import plight.testkit.Await;
import plight.testkit.JsonReader;
import plight.testkit.Ports;
import plight.testkit.Processes;

/**
 * Security end to end (RELIABILITY.md, "Security"): text with line breaks or control characters never reaches a
 * response, a reply or a log line; the daemon says when it runs as root; it listens on nothing but what is
 * configured. The control socket's owner/group/other matrix is {@link ControlSocketMatrixIT}.
 */
@Timeout(180)
class SecurityIT extends OneNode {
    private static void assertRefused(Processes.Result r, Path conf, int line, String what) {
        assertEquals(78, r.exit(), r::toString);
        assertEquals(1, r.err().split("\n", -1).length - 1, () -> "one line:\n" + r);
        assertTrue(r.err().contains(conf + ":" + line + ": "), () -> "names file and line " + line + ":\n" + r);
        assertTrue(r.err().contains(what), () -> "says '" + what + "':\n" + r);
    }

    /** CR, NUL, NEL, a continuation line and bytes that are not UTF-8, in messages, paths and headers: exit 78, file:line. */
    @Test
    void controlCharactersAndNonUtf8InTheConfigAreRefusedWithExit78() throws Exception {
        node = new PlightNode(dir);
        Object[][] cases = {
            {"message = OK\n", "message = O\rK\n", 21, "U+000D"},
            {"node_disabled\n", "node\u0000disabled\n", 23, "U+0000"},
            {"message = node is offline\n", "message = node is offline\nheader.x-why = a\u0085b\n", 30, "U+0085"},
            {"message = node is offline\n", "message = node is offline\nheader.x-why = a\n  HTTP/1.1 200 OK\n", 30, "line break"},
            {"code = 404\n", "code = 404\ncommand = dis\u2028able\n", 25, "U+2028"},
        };
        for (Object[] c : cases) {
            node.writeConf(PlightNode.CONF.replace((String) c[0], (String) c[1]));
            assertRefused(node.plight("start"), node.conf, (Integer) c[2], (String) c[3]);
        }
        node.writeConf(PlightNode.CONF);
        byte[] latin1 = Files.readString(node.conf).replace("message = node is unavailable", "message = d\u00e9sactiv\u00e9")
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(node.conf, latin1);
        assertRefused(node.plight("start"), node.conf, 25, "not valid UTF-8");
        assertFalse(Files.exists(node.pidFile()), "nothing started");
    }

    /**
     * Whoever can write the state directory writes markers: a {@code by} or {@code reason} with CR, NUL, NEL or
     * U+2028 in it reaches neither a log line (text or JSON) nor a reply line nor the CLI's output unescaped.
     */
    @Test
    void aHandWrittenMarkerCannotForgeALineInTheTextLog() throws Exception {
        handWrittenMarkers(false);
    }

    @Test
    void aHandWrittenMarkerCannotForgeALineInTheJsonLog() throws Exception {
        handWrittenMarkers(true);
    }

    private void handWrittenMarkers(boolean json) throws Exception {
        node = new PlightNode(dir);
        if (json) node.writeConf(PlightNode.CONF.replace("[logging]\n", "[logging]\nformat = json\n"));
        String forged = "mallory\r2026-01-01 00:00:00.000 INFO  state forged\u0000\u0085\u2028x";
        Files.createDirectories(node.marker("offline").getParent());
        // Expired while the daemon was down: removed at start, and the expiry is logged with its 'by'.
        Files.writeString(node.marker("offline"), "by=" + forged + "\nreason=r\r\nexpires=2000-01-01T00:00:00Z\n");
        PlightNode.Daemon daemon = node.start();
        Files.writeString(node.marker("disabled"), "by=" + forged + "\nreason=why\u0085\rnot\u2028\n");
        Await.until(() -> probeState().equals("disabled"), Duration.ofSeconds(10), "the hand-written marker served");

        Reply status;
        try (ControlClient client = ControlClient.connect(node.socket(), Duration.ofSeconds(5)).orElseThrow()) {
            status = client.call("status", Duration.ofSeconds(5));
        }
        assertEquals("why  not", status.get("reason"));
        assertEquals("mallory 2026-01-01 00:00:00.000 INFO  state forged   x", status.get("by"));
        Processes.Result cli = node.plight("status");
        assertEquals(0, cli.exit(), cli::toString);
        assertTrue(cli.out().contains("\nReason: why  not\n"), cli::toString);
        assertEquals(-1, cli.out().indexOf('\r'), cli::toString);

        assertEquals(0, node.plight("stop").exit());
        assertEquals(0, daemon.exit(Duration.ofSeconds(20)), daemon::output);
        byte[] log = Files.readAllBytes(node.appLog());
        String text = new String(log, StandardCharsets.UTF_8);
        assertTrue(text.contains("mallory"), "the expiry names who set it:\n" + text);
        for (String bad : List.of("\r", "\u0000", "\u0085", "\u2028")) {
            assertEquals(-1, text.indexOf(bad), () -> "U+" + Integer.toHexString(bad.charAt(0)) + " in the log:\n" + text);
        }
        for (String line : text.split("\n")) {
            if (json) {
                Map<String, Object> o = JsonReader.object(line);
                assertTrue(o.containsKey("event"), line);
            } else {
                assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ .*"), () -> "a line of its own: " + line);
            }
        }
    }

    private String probeState() {
        try {
            String s = node.probe().header("X-Plight-State");
            return s == null ? "" : s;
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Root is told, once, at start, that plight needs no privileges (it runs as root here; as a user the line is absent). */
    @Test
    void theDaemonWarnsOnceWhenItRunsAsRoot() throws Exception {
        node = new PlightNode(dir);
        node.writeConf(PlightNode.CONF.replace("[logging]\n", "[logging]\nformat = json\n"));
        PlightNode.Daemon daemon = node.start();
        assertEquals(0, node.plight("stop").exit());
        assertEquals(0, daemon.exit(Duration.ofSeconds(20)), daemon::output);
        boolean root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        List<Map<String, Object>> warnings = new ArrayList<>();
        for (String line : Files.readAllLines(node.appLog())) {
            Map<String, Object> o = JsonReader.object(line);
            if ("warn".equals(o.get("level")) && String.valueOf(o.get("message")).startsWith("running as root")) warnings.add(o);
        }
        assertEquals(root ? 1 : 0, warnings.size(), () -> "root: " + root + ", " + warnings);
    }

    /**
     * With the probe, agent and metrics ports and the control socket configured, the daemon listens on exactly those:
     * from {@code /proc/PID/fd} and {@code /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,unix}}, its listening sockets are the
     * three TCP ports on 127.0.0.1 and the control socket, it has no other TCP, UDP or raw socket, and its other Unix
     * sockets have no name (a socketpair end the JVM makes at start-up: nobody can connect to it).
     */
    @Test
    void nothingListensBeyondTheConfiguredAddresses() throws Exception {
        node = new PlightNode(dir);
        int metrics = Ports.free();
        node.writeConf(PlightNode.CONF + "[metrics]\nhost = 127.0.0.1\nport = " + metrics + "\n");
        PlightNode.Daemon daemon = node.start();
        Set<String> expected = new TreeSet<>(List.of("tcp 127.0.0.1:" + node.port + " LISTEN", "tcp 127.0.0.1:" + node.agentPort + " LISTEN",
                "tcp 127.0.0.1:" + metrics + " LISTEN", "unix " + node.socket() + " LISTEN"));
        // The connections start() made to see the daemon up may still be closing.
        Await.until(() -> expected.equals(sockets(daemon.pid(), false)), Duration.ofSeconds(10),
                "the daemon's sockets to be " + expected + " (at first: " + sockets(daemon.pid(), true) + ")");
    }

    /** The daemon's sockets, but for Unix sockets without a name; with {@code all}, those too. */
    private Set<String> sockets(long pid, boolean all) {
        try {
            Set<String> inodes = new TreeSet<>();
            try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    try {
                        Matcher m = Pattern.compile("socket:\\[(\\d+)]").matcher(Files.readSymbolicLink(fd).toString());
                        if (m.matches()) inodes.add(m.group(1));
                    } catch (java.nio.file.NoSuchFileException closedMeanwhile) {
                        // an fd closed while we listed
                    }
                }
            }
            Set<String> found = new TreeSet<>();
            for (String table : List.of("tcp", "tcp6", "udp", "udp6", "raw", "raw6")) {
                List<String> lines = Files.readAllLines(Path.of("/proc/net/" + table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (inodes.remove(f[9])) {
                        found.add(table.replace("6", "") + " " + local(f[1]) + (f[3].equals("0A") ? " LISTEN" : " state " + f[3]));
                    }
                }
            }
            Path socketDir = node.socket().getParent();
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 7 || !inodes.remove(f[6])) continue;
                boolean listening = (Integer.parseInt(f[3], 16) & 0x10000) != 0;
                String name = f.length > 7 ? f[7] : null;
                // The control socket is bound under a temporary name beside its path, then renamed into place.
                if (name != null && Path.of(name).getParent().equals(socketDir)
                        && Path.of(name).getFileName().toString().matches("\\." + Pattern.quote(node.socket().getFileName().toString()) + "\\.\\d+")) {
                    name = node.socket().toString();
                }
                if (name != null || all) found.add("unix " + (name == null ? "(no name)" : name) + (listening ? " LISTEN" : " state " + f[5]));
            }
            if (!inodes.isEmpty()) found.add("in no table of /proc/net: " + inodes);
            return found;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code 0100007F:2775} as {@code 127.0.0.1:10101}, an IPv4-mapped IPv6 address as its IPv4 one; others as their hex. */
    private static String local(String hex) {
        String[] p = hex.split(":");
        int port = Integer.parseInt(p[1], 16);
        if (p[0].length() == 32 && p[0].startsWith("0000000000000000FFFF0000")) p[0] = p[0].substring(24);
        if (p[0].length() != 8) return p[0] + ":" + port;
        long a = Long.parseLong(p[0], 16);
        return (a & 0xff) + "." + (a >> 8 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 24 & 0xff) + ":" + port;
    }
}
