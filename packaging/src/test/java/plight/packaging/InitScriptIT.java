package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SysV init script run against a copy of the distribution in a temp directory (not an installed package):
 * a copy of the script whose defaults file, PLIGHT_HOME and plight.conf are the test's own.
 */
@Timeout(300)
class InitScriptIT {
    @TempDir
    Path dir;

    private PlightNode node;
    private Path script;

    /** Whatever a failed test left running is stopped through the script, as an operator would. */
    @AfterEach
    void stopWhatRuns() {
        if (script != null) {
            initd("stop");
        }
    }

    /**
     * Sets the node up under {@code dir}, with the script's defaults file setting {@code PLIGHT_HOME} to
     * {@code home} (the copy of the distribution, or a path to it) and the daemon's user to root.
     */
    private void setUp(Path home) throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "not root: the init script starts the daemon as [webserver] user with setpriv");
        Assumptions.assumeTrue(Shell.has("setpriv") && Shell.has("setsid"), "no setpriv/setsid: the init script needs them");
        node = new PlightNode(dir).useOpenCopy();
        node.writeConf(PlightNode.CONF.replace("[webserver]\n", "[webserver]\nuser = root\ngroup = root\n"));
        Path defaults = dir.resolve("default");
        String javaHome = node.javaHome != null ? node.javaHome.toString() : System.getProperty("java.home");
        Files.writeString(defaults, "PLIGHT_HOME=" + home + "\nJAVA_HOME=" + javaHome + "\n");
        String text = Files.readString(ServiceFilesIT.src().resolve("init.d/plightd"));
        String edited = text.replace("CONF=/etc/plight/plight.conf", "CONF=" + node.conf)
                .replace("for defaults in /etc/default/$NAME /etc/sysconfig/$NAME; do", "for defaults in " + defaults + "; do");
        assertFalse(edited.equals(text) || edited.contains("/etc/default/$NAME"), "the init script's CONF or defaults line moved");
        script = dir.resolve("plightd");
        Files.writeString(script, edited);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Shell.Result initd(String action) {
        return Shell.run(Map.of("SYSTEMCTL_SKIP_REDIRECT", "1"), List.of(script.toString(), action));
    }

    private static void assertExit(int expected, Shell.Result r) {
        assertEquals(expected, r.exit(), r::toString);
    }

    /** A PLIGHT_HOME through a symlink (/opt/plight -> /opt/plight-0.2.0) is the same installation as its target. */
    @Test
    void aPlightHomeThroughASymlinkStartsReportsAndStopsTheDaemon() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("home"), dir.resolve("dist"));
        setUp(link);
        assertExit(0, initd("start"));
        assertTrue(PlightNode.answers(node.port), "the daemon serves after start");
        long pid = Long.parseLong(Files.readString(node.pidFile()).strip());
        Shell.Result status = initd("status");
        assertExit(0, status);
        assertTrue(status.out().contains("pid " + pid), status::toString);
        Shell.Result again = initd("start");
        assertExit(0, again);
        assertTrue(again.out().contains("already running (pid " + pid + ")"), again::toString);
        assertExit(0, initd("stop"));
        // The daemon is no child of this JVM and may stay a zombie until init reaps it: its port tells.
        assertFalse(PlightNode.answers(node.port), "stop left the daemon serving");
        assertExit(3, initd("status"));
    }

    /**
     * The daemon gets the unit's LimitNOFILE (65536) from the init script too, whatever limit the shell that ran
     * it had; where root cannot raise a hard limit (no CAP_SYS_RESOURCE), start says so and goes on.
     */
    @Test
    void startRaisesTheOpenFilesLimitForTenThousandConnections() throws Exception {
        setUp(dir.resolve("dist"));
        Shell.Result start = Shell.run(Map.of("SYSTEMCTL_SKIP_REDIRECT", "1"),
                List.of("sh", "-c", "ulimit -n 1024 && exec \"$0\" start", script.toString()));
        assertExit(0, start);
        long pid = Long.parseLong(Files.readString(node.pidFile()).strip());
        long limit = Files.readAllLines(Path.of("/proc/" + pid + "/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).map(l -> l.substring(26).strip().split("\\s+")[0])
                .mapToLong(Long::parseLong).findFirst().orElseThrow();
        boolean capable = Shell.run(Map.of(), List.of("sh", "-c", "ulimit -n 1024 && ulimit -n 65536")).exit() == 0;
        if (capable) {
            assertEquals(65536, limit, start::toString);
        } else {
            assertEquals(1024, limit, "no CAP_SYS_RESOURCE here: the limit stays");
            assertTrue(start.err().contains("cannot raise the open files limit to 65536 (it stays 1024)"), start::toString);
        }
    }

    /** A reload plight refuses fails the init script's reload (LSB 1), with plight's reason; a good one succeeds. */
    @Test
    void reloadReportsWhetherPlightTookTheConfiguration() throws Exception {
        Path home = dir.resolve("dist");
        setUp(home);
        assertExit(0, initd("start"));
        Shell.Result good = initd("reload");
        assertExit(0, good);

        String conf = Files.readString(node.conf);
        Files.writeString(node.conf, conf.replace("code = 404", "code = 4040"));
        Shell.Result refused = initd("reload");
        assertExit(1, refused);
        assertTrue(refused.err().contains("4040"), refused::toString);
        assertTrue(PlightNode.answers(node.port), "a refused reload leaves the daemon serving");
        Files.writeString(node.conf, conf);
        assertExit(0, initd("stop"));
        assertExit(7, initd("reload"));
    }
}
