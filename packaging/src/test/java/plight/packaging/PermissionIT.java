package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.testkit.Await;
import plight.testkit.JsonReader;
import plight.testkit.Processes;

/**
 * Who may change the state: only the socket's owner and group. The daemon runs as root with its socket at mode
 * 0600 (or 0660 and a group); the CLI runs as another user through {@code setpriv}. Root ignores file modes, so
 * this needs root to switch users; as any other user the tests are skipped.
 */
@Timeout(120)
class PermissionIT extends OneNode {
    static final int NOBODY = 65534;

    @BeforeEach
    void rootAndSetpriv() throws Exception {
        node = PlightNode.forOtherUsers(dir);
    }

    /** bin/plight as uid/gid 65534 without supplementary groups, or with the given ones. */
    private Processes.Result asNobody(List<String> groups, String... args) throws Exception {
        List<String> prefix = List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                groups.isEmpty() ? "--clear-groups" : "--groups=" + String.join(",", groups));
        return node.run(prefix, Map.of("HOME", "/"), args);
    }

    private static void assertPermissionMessage(Processes.Result r, Path socket) {
        assertEquals(1, r.exit(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), () -> "a stack trace:\n" + r);
        assertEquals(1, r.err().split("\n").length, () -> "one line:\n" + r);
        String err = r.err().toLowerCase(java.util.Locale.ROOT);
        assertTrue(err.contains("permission denied"), r::toString);
        assertTrue(err.contains(socket.toString().toLowerCase(java.util.Locale.ROOT)), () -> "names the socket:\n" + r);
        assertTrue(err.contains("root") && err.contains("group"), () -> "says who may change the state:\n" + r);
    }

    @Test
    void aCallerWhoCannotOpenTheSocketIsToldSo() throws Exception {
        node.start();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.socket())));

        Processes.Result disable = asNobody(List.of(), "disable", "--reason", "not allowed");
        assertPermissionMessage(disable, node.socket());
        assertEquals(200, node.probe().code(), "nothing changed");
        assertFalse(Files.exists(node.marker("disabled")));

        for (String cmd : List.of("stats", "reload", "stop", "enable")) {
            assertPermissionMessage(asNobody(List.of(), cmd), node.socket());
        }

        // Reading the state is open to anyone, as with the original: from the files, and without the warning,
        // since a daemon does run.
        Processes.Result status = asNobody(List.of(), "status");
        assertEquals(0, status.exit(), status::toString);
        assertEquals("State: enabled\nCode: 200\nMessage: OK\n", status.out());
    }

    /** A socket in a directory the caller cannot enter is as closed to it as a socket without the mode bits. */
    @Test
    void aSocketInADirectoryTheCallerCannotEnterIsPermissionDeniedNotNotRunning() throws Exception {
        Path privateDir = Files.createDirectories(dir.resolve("private"));
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        Path socket = privateDir.resolve("control.sock");
        node.mode = "0666";
        node.writeConf(PlightNode.CONF.replace("socket = @DIR@/run/control.sock", "socket = " + socket));
        node.socket = socket;
        Files.setPosixFilePermissions(node.conf, PosixFilePermissions.fromString("rw-r--r--"));
        node.start();

        Processes.Result stats = asNobody(List.of(), "stats");
        assertPermissionMessage(stats, socket);
        Processes.Result disable = asNobody(List.of(), "disable");
        assertPermissionMessage(disable, socket);
        assertEquals(200, node.probe().code());
    }

    /** The socket's group may change the state, and the audit log names that user with its own uid and pid. */
    @Test
    void theSocketsGroupMayChangeTheStateAndIsAudited() throws Exception {
        // An existing system group that nobody is not a member of; setpriv hands it to the CLI as a supplementary group.
        String group = "daemon";
        String gid = gidOf(group);
        Assumptions.assumeTrue(gid != null, "no group '" + group + "' on this machine");
        {
            node.mode = "0660";
            node.writeConf(PlightNode.CONF.replace("mode = @MODE@", "mode = @MODE@\ngroup = " + group));
            Files.setPosixFilePermissions(node.conf, PosixFilePermissions.fromString("rw-r--r--"));
            node.start();
            assertEquals(group, Files.readAttributes(node.socket(), java.nio.file.attribute.PosixFileAttributes.class).group().getName());

            assertPermissionMessage(asNobody(List.of(), "disable"), node.socket());

            Processes.Result disable = asNobody(List.of(gid), "disable", "--reason", "group member");
            assertEquals(0, disable.exit(), disable::toString);
            assertEquals("", disable.err());
            assertEquals(404, node.probe().code());

            String name = nameOf(NOBODY);
            Pattern audit = Pattern.compile("(?m)^\\S+ \\S+ INFO  " + Pattern.quote("state enabled -> disabled by " + name
                    + " (uid " + NOBODY + ", pid " + disable.pid() + "), reason: group member") + "$");
            Await.until(() -> audit.matcher(DaemonIT.read(node.appLog())).find(), Duration.ofSeconds(5),
                    "the audit line naming uid " + NOBODY + " in:\n" + DaemonIT.read(node.appLog()));
            Processes.Result status = node.plight("status");
            assertTrue(status.out().contains("By: " + name + " (uid " + NOBODY + ", pid " + disable.pid() + ")\n"), status::toString);
        }
    }

    /**
     * After a crash the socket file stays behind, still closed to an outsider: that is no sign of a daemon. The
     * pidfile's lock says plight is not running.
     */
    @Test
    void afterACrashAnOutsiderIsToldPlightIsNotRunning() throws Exception {
        DaemonIT.startAndCrash(node);

        Processes.Result status = asNobody(List.of(), "status");
        assertEquals(0, status.exit(), status::toString);
        assertEquals(DaemonIT.NOT_RUNNING + "\nState: enabled\nCode: 200\nMessage: OK\n", status.out());
        Processes.Result json = asNobody(List.of(), "status", "--json");
        assertEquals(0, json.exit(), json::toString);
        assertEquals(false, ((Map<?, ?>) JsonReader.parse(json.out())).get("running"), json::toString);
        Processes.Result stats = asNobody(List.of(), "stats");
        assertEquals(3, stats.exit(), stats::toString);
        assertEquals("plight: plight is not running\n", stats.err());
    }

    private void openSocket(String group) throws IOException {
        node.mode = "0666";
        node.writeConf(group == null ? PlightNode.CONF : PlightNode.CONF.replace("mode = @MODE@", "mode = @MODE@\ngroup = " + group));
        Files.setPosixFilePermissions(node.conf, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /**
     * A socket anyone may open (mode 0666): anyone may read the state through it, but only root, the daemon's user
     * and the socket's group may change anything; the others get {@code ERR denied} (exit 1), which is logged.
     */
    @Test
    void throughASocketAnyoneMayOpenAnOutsiderMayReadButNotChange() throws Exception {
        openSocket(null);
        PlightNode.Daemon d = node.start();
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.socket())));

        Processes.Result disable = asNobody(List.of(), "disable", "--reason", "outsider");
        assertPermissionMessage(disable, node.socket());
        assertTrue(disable.err().contains("changing the state"), disable::toString);
        assertEquals(200, node.probe().code(), "nothing changed");
        assertFalse(Files.exists(node.marker("disabled")));
        for (String cmd : List.of("offline", "enable", "reload", "stop")) {
            assertPermissionMessage(asNobody(List.of(), cmd), node.socket());
        }
        assertTrue(d.process().isAlive(), "an outsider cannot stop it");

        Processes.Result status = asNobody(List.of(), "status");
        assertEquals(0, status.exit(), status::toString);
        assertEquals("State: enabled\nCode: 200\nMessage: OK\n", status.out(), "through the socket: no warning");
        assertEquals("", status.err());
        Processes.Result stats = asNobody(List.of(), "stats");
        assertEquals(0, stats.exit(), stats::toString);

        String name = nameOf(NOBODY);
        Pattern audit = Pattern.compile("(?m)^\\S+ \\S+ WARN  " + Pattern.quote("denied: set disabled reason=outsider by " + name
                + " (uid " + NOBODY + ", pid " + disable.pid() + ")"));
        Await.until(() -> audit.matcher(DaemonIT.read(node.appLog())).find(), Duration.ofSeconds(5),
                "the audit line of the refusal in:\n" + DaemonIT.read(node.appLog()));
    }

    /** The socket's group may change the state through a socket anyone may open; membership is the caller's own. */
    @Test
    void throughASocketAnyoneMayOpenTheSocketsGroupMayChange() throws Exception {
        String group = "daemon";
        String gid = gidOf(group);
        Assumptions.assumeTrue(gid != null, "no group '" + group + "' on this machine");
        openSocket(group);
        node.start();

        assertPermissionMessage(asNobody(List.of(), "disable"), node.socket());
        Processes.Result disable = asNobody(List.of(gid), "disable", "--reason", "member");
        assertEquals(0, disable.exit(), disable::toString);
        assertEquals("", disable.err());
        assertEquals(404, node.probe().code());
        Processes.Result reload = asNobody(List.of(gid), "reload");
        assertEquals(0, reload.exit(), reload::toString);
    }

    private static String gidOf(String group) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":", 4);
            if (f.length >= 3 && f[0].equals(group)) return f[2];
        }
        return null;
    }

    private static String nameOf(long uid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":", 4);
            if (f.length >= 3 && f[2].equals(Long.toString(uid))) return f[0];
        }
        return "uid" + uid;
    }
}
