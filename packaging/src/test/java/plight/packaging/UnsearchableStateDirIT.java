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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Await;
import plight.testkit.Processes;

/**
 * The state directory becomes unsearchable for the user plight runs as (the issue's {@code root:root 0700}):
 * "cannot look" is not "no marker". The daemon keeps the state it last saw and logs an error; {@code status}
 * reading the files says it cannot read them. As root, the daemon and the CLI run as nobody through
 * {@code setpriv} (root would pass the directory's mode); as another user, as that user against a directory at
 * mode 000.
 */
@Timeout(120)
class UnsearchableStateDirIT {
    static final int NOBODY = 65534;

    @TempDir
    Path dir;

    private PlightNode node;
    private boolean root;
    private Path stateDir;

    @BeforeEach
    void setUp() throws Exception {
        root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        if (root) {
            Assumptions.assumeTrue(Processes.status("setpriv", "--version") == 0, "needs setpriv (util-linux) to run plight as another user");
        }
        node = PlightNode.openToOthers(dir);
        for (String sub : List.of("run", "state", "log")) {
            letIn(Files.createDirectories(dir.resolve(sub)));
        }
        stateDir = dir.resolve("state");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (node != null) {
            letIn(stateDir); // so that the temporary directory can be removed
            node.cleanUp();
        }
    }

    /** Runs plight as the user the test stands for: nobody under root, else ourselves. */
    private List<String> asUser() {
        return root ? List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups") : List.of();
    }

    /** The directory belongs to the test's user again and is searchable. */
    private void letIn(Path d) throws IOException {
        if (root) {
            Files.setAttribute(d, "unix:uid", NOBODY);
            Files.setAttribute(d, "unix:gid", NOBODY);
        }
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The issue's {@code chown root:root; chmod 0700}; for a non-root test user, mode 000 does the same to it. */
    private void lockOut(Path d) throws IOException {
        if (root) {
            Files.setAttribute(d, "unix:uid", 0);
            Files.setAttribute(d, "unix:gid", 0);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        } else {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("---------"));
        }
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void theDaemonKeepsTheStateItCannotCheckAndLogsAnError() throws Exception {
        PlightNode.Daemon daemon = node.start(asUser(), Map.of("HOME", "/"));
        Processes.Result disable = node.run(asUser(), Map.of("HOME", "/"), "disable", "--reason", "locked out");
        assertEquals(0, disable.exit(), disable::toString);
        assertEquals(404, node.probe().code());

        Pattern error = Pattern.compile("(?m)^\\S+ \\S+ ERROR " + Pattern.quote("cannot check the marker files, still serving 'disabled': "
                + "cannot check whether " + node.marker("offline") + " exists: permission denied"));
        lockOut(stateDir);
        try {
            Await.until(() -> error.matcher(DaemonIT.read(node.appLog())).find(), Duration.ofSeconds(10),
                    "the error in the log:\n" + DaemonIT.read(node.appLog()) + daemon.output());
            assertEquals(404, node.probe().code(), "cannot look is not no marker");
            Processes.Result status = node.run(asUser(), Map.of("HOME", "/"), "status");
            assertTrue(status.out().startsWith("State: disabled\n"), status::toString);
        } finally {
            letIn(stateDir);
        }
        Pattern recovered = Pattern.compile("(?m)^\\S+ \\S+ INFO  " + Pattern.quote("the marker files can be checked again; serving 'disabled'"));
        Await.until(() -> recovered.matcher(DaemonIT.read(node.appLog())).find(), Duration.ofSeconds(10),
                "the recovery in the log:\n" + DaemonIT.read(node.appLog()));
        assertEquals(404, node.probe().code());
        String log = DaemonIT.read(node.appLog());
        assertEquals(1, count(error, log), "one error, then at most one a minute:\n" + log);
        assertFalse(log.contains("Exception") || log.contains("\tat "), "no stack trace:\n" + log);
        assertFalse(log.contains("-> enabled"), log);
    }

    /** At start there is no last known state to keep: the daemon does not start, and says why. */
    @Test
    void theDaemonDoesNotStartWhileItCannotTellTheState() throws Exception {
        lockOut(stateDir);
        Processes.Result start = node.run(asUser(), Map.of("HOME", "/"), "start");
        assertEquals(1, start.exit(), start::toString);
        assertTrue(start.err().contains("plight: cannot start: cannot check whether " + node.marker("offline")
                + " exists: permission denied"), start::toString);
        assertFalse(start.err().contains("Exception") || start.err().contains("\tat "), start::toString);
        assertFalse(PlightNode.answers(node.port), "nothing listens on the probe port");
    }

    @Test
    void statusReadingFilesItCannotReachSaysSoAndNeverEnabled() throws Exception {
        Processes.Result disable = node.run(asUser(), Map.of("HOME", "/"), "disable");
        assertEquals(0, disable.exit(), disable::toString);
        lockOut(stateDir);
        Processes.Result status = node.run(asUser(), Map.of("HOME", "/"), "status");
        assertEquals(1, status.exit(), status::toString);
        assertFalse(status.out().contains("enabled"), status::toString);
        assertTrue(status.err().contains("cannot check whether " + node.marker("offline") + " exists: permission denied"), status::toString);
        assertFalse(status.err().contains("Exception"), status::toString);
    }
}
