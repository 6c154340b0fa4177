package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plight.testkit.Processes;

/**
 * The control socket's owner/group/other matrix (RELIABILITY.md, "Security"), with {@code setpriv}: the daemon runs as
 * {@code nobody} (65534) with the socket's group {@code daemon} (1) among its groups; the CLI runs as root, as the
 * daemon's own user, as a member of the socket's group ({@code bin}, 2, with group 1) and as an outsider
 * ({@code sys}, 3). With mode 0660 the outsider cannot open the socket (its {@code status} reads the files, its
 * changes fail); with 0666 it may read through the socket but every change is {@code ERR denied}. The others may
 * change the state either way. Needs root (to switch users) and setpriv; skipped otherwise.
 */
@Timeout(240)
class ControlSocketMatrixIT extends OneNode {
    private static final int NOBODY = 65534;
    private static final int SOCKET_GROUP = 1;

    private record Caller(String name, List<String> setpriv, boolean mayChange) { }

    private static final List<Caller> CALLERS = List.of(
            new Caller("root", List.of(), true),
            new Caller("the daemon's user", List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"), true),
            new Caller("a member of the socket's group", List.of("setpriv", "--reuid=2", "--regid=2", "--groups=" + SOCKET_GROUP), true),
            new Caller("an outsider", List.of("setpriv", "--reuid=3", "--regid=3", "--clear-groups"), false));

    @BeforeEach
    void rootAndSetpriv() throws Exception {
        node = PlightNode.forOtherUsers(dir);
        // The daemon runs as nobody: its directories are its own.
        for (String sub : List.of("run", "state", "log")) {
            Files.setAttribute(dir.resolve(sub), "unix:uid", NOBODY);
            Files.setAttribute(dir.resolve(sub), "unix:gid", NOBODY);
        }
    }

    @ParameterizedTest(name = "mode {0}")
    @ValueSource(strings = {"0660", "0666"})
    void whoMayChangeTheStateAndWhoMayOnlyRead(String mode) throws Exception {
        node.mode = mode;
        node.writeConf(PlightNode.CONF.replace("mode = @MODE@", "mode = @MODE@\ngroup = daemon"));
        Files.setPosixFilePermissions(node.conf, PosixFilePermissions.fromString("rw-r--r--"));
        PlightNode.Daemon daemon = node.start(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--groups=" + SOCKET_GROUP),
                Map.of("HOME", "/"));
        assertEquals(NOBODY, ((Number) Files.getAttribute(node.socket(), "unix:uid")).intValue(), "the socket is the daemon's");
        assertEquals(SOCKET_GROUP, ((Number) Files.getAttribute(node.socket(), "unix:gid")).intValue(), "in the configured group");
        assertEquals(mode.equals("0660") ? "rw-rw----" : "rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.socket())));

        List<String> matrix = new ArrayList<>();
        for (Caller c : CALLERS) {
            Processes.Result status = node.run(c.setpriv(), Map.of("HOME", "/"), "status");
            assertEquals(0, status.exit(), () -> c.name() + ": " + status);
            assertTrue(status.out().startsWith("State: enabled\n"), () -> c.name() + " reads the state: " + status);

            Processes.Result disable = node.run(c.setpriv(), Map.of("HOME", "/"), "disable", "--reason", c.name());
            if (c.mayChange()) {
                assertEquals(0, disable.exit(), () -> c.name() + ": " + disable);
                assertEquals(404, node.probe().code(), c.name() + "'s change is served");
                Processes.Result enable = node.run(c.setpriv(), Map.of("HOME", "/"), "enable");
                assertEquals(0, enable.exit(), () -> c.name() + ": " + enable);
            } else {
                assertEquals(1, disable.exit(), () -> c.name() + ": " + disable);
                assertTrue(disable.err().toLowerCase(java.util.Locale.ROOT).contains("permission denied"), disable::toString);
                assertFalse(Files.exists(node.marker("disabled")), "the outsider changed nothing on disk");
                assertEquals(1, node.run(c.setpriv(), Map.of("HOME", "/"), "reload").exit());
                assertEquals(1, node.run(c.setpriv(), Map.of("HOME", "/"), "stop").exit());
                assertTrue(daemon.process().isAlive(), "an outsider cannot stop it");
            }
            assertEquals(200, node.probe().code());
            matrix.add(c.name() + ": status yes, change " + (disable.exit() == 0 ? "yes" : "no"));
        }
        System.out.println("control socket " + mode + ": " + matrix);
        String log = DaemonIT.read(node.appLog());
        assertFalse(log.contains("running as root"), "the daemon runs as nobody: no root warning\n" + log);
        if (mode.equals("0666")) {
            assertTrue(log.contains("denied: set disabled reason=an outsider by sys (uid 3"), log);
        }
    }
}
