package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.testkit.Await;
import plight.testkit.Confs;
import plight.testkit.Ports;
import plight.testkit.RawHttp;

/**
 * The .deb installed on this machine, as root, run through its SysV init script (this machine has no systemd
 * running, so the package scripts take the init script's path): install, the service's life, the init script's
 * LSB actions in every state, an upgrade over the original Python plight's layout, removal and purge.
 * Runs only where nothing of plight is installed, and leaves nothing behind, also when a test fails.
 */
@Timeout(300)
class PackageInstallIT {
    /** The shipped plight.conf's probe port: the package is tested as it ships. */
    static final int PORT = 10101;
    static final Path INIT = Path.of("/etc/init.d/plightd");
    static final Path PIDFILE = Path.of("/run/plight/plight.pid");
    static final Path CONF = Path.of("/etc/plight/plight.conf");
    static final Path STATE = Path.of("/var/lib/plight");
    /** Everything the package, its scripts or its daemon create; none may exist before, none may stay after. */
    static final List<Path> HOST_PATHS = List.of(Path.of("/etc/plight"), STATE, Path.of("/var/log/plight"), Path.of("/run/plight"),
            Path.of("/usr/share/plight"), INIT, Path.of("/lib/systemd/system/plightd.service"), Path.of("/usr/bin/plight"),
            Path.of("/etc/systemd/system/plight.service"), Path.of("/etc/systemd/system/multi-user.target.wants/plightd.service"),
            Path.of("/var/lib/systemd/deb-systemd-helper-enabled/plightd.service.dsh-also"),
            Path.of("/var/lib/systemd/deb-systemd-helper-masked/plightd.service"));

    @BeforeAll
    static void onlyOnAMachineWithoutPlight() {
        Assumptions.assumeTrue(Shell.isRoot(), "not root: these tests install the .deb on this machine");
        Assumptions.assumeTrue(Shell.has("dpkg") && Shell.has("adduser"), "no dpkg and adduser: not a Debian machine");
        Assumptions.assumeFalse(Files.isDirectory(Path.of("/run/systemd/system")),
                "systemd runs this machine: these tests take the init script's path (package scripts use the unit here)");
        Assumptions.assumeFalse(installed(), "plight is installed on this machine; these tests would replace and purge it");
        for (Path p : HOST_PATHS) {
            Assumptions.assumeFalse(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), p + " exists; these tests would remove it");
        }
        Assumptions.assumeFalse(Shell.run("getent", "passwd", "plight").exit() == 0, "a user 'plight' exists; purge would remove it");
        Assumptions.assumeFalse(Shell.run("getent", "group", "plight").exit() == 0, "a group 'plight' exists; purge would remove it");
        Assumptions.assumeFalse(PlightNode.answers(PORT), "port " + PORT + " is in use on this machine");
        ServiceFilesIT.deb();
    }

    static boolean installed() {
        Shell.Result r = Shell.run("dpkg-query", "-W", "-f", "${Status}", "plight");
        return r.exit() == 0 && !r.out().contains("not-installed");
    }

    /** Purges the package and whatever a failed test left: daemons, files, links, the user. */
    @AfterEach
    void leaveNothingBehind() throws Exception {
        List<String> problems = new ArrayList<>();
        if (installed()) {
            Shell.Result purge = dpkg("--purge", "plight");
            if (purge.exit() != 0) {
                problems.add(purge.toString());
                dpkg("--purge", "--force-all", "plight");
            }
        }
        for (long pid : daemons()) {
            problems.add("a plight daemon (pid " + pid + ") was left running");
            Shell.run("kill", "-KILL", Long.toString(pid));
        }
        Await.until(() -> !PlightNode.answers(PORT), Duration.ofSeconds(10), "port " + PORT + " to close");
        Shell.run("update-rc.d", "-f", "plightd", "remove");
        for (Path p : HOST_PATHS) {
            Shell.run("rm", "-rf", p.toString());
        }
        Shell.run("rm", "-f", "/var/lib/systemd/deb-systemd-helper-enabled/plightd.service",
                "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/plightd.service");
        Shell.run("userdel", "plight");
        Shell.run("groupdel", "plight");
        System.out.println(problems.isEmpty() ? "clean-up: nothing left" : "clean-up: " + problems);
    }

    static final Path POLICY = Path.of("/usr/sbin/policy-rc.d");

    /**
     * dpkg, with a policy-rc.d that allows service actions: this machine's own may forbid them (Docker images
     * ship one that does), and the package scripts honour it. The stand-in is bind-mounted over it in a mount
     * namespace of dpkg's own, so nothing else on the machine sees it.
     */
    private static Shell.Result dpkg(String... args) {
        return dpkgUnder(0, args);
    }

    /** dpkg with a policy-rc.d that exits {@code policy} (0 allows, 101 forbids), where there is one to stand in for. */
    private static Shell.Result dpkgUnder(int policy, String... args) {
        List<String> cmd = new ArrayList<>();
        Path standIn = null;
        try {
            if (Files.exists(POLICY)) {
                standIn = Files.createTempFile("policy-rc.d", "");
                Files.writeString(standIn, "#!/bin/sh\nexit " + policy + "\n");
                Files.setPosixFilePermissions(standIn, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                cmd.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                        "mount --bind \"$0\" " + POLICY + " && exec dpkg \"$@\"", standIn.toString()));
            } else {
                Assumptions.assumeTrue(policy == 0, "no policy-rc.d on this machine to stand in for");
                cmd.add("dpkg");
            }
            cmd.addAll(List.of(args));
            return Shell.run(Map.of("DEBIAN_FRONTEND", "noninteractive"), cmd);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (standIn != null) standIn.toFile().delete();
        }
    }

    private static void install() {
        Shell.Result r = dpkg("-i", ServiceFilesIT.deb().toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(installed(), r::toString);
    }

    private static Shell.Result initd(String action) {
        return Shell.run(INIT.toString(), action);
    }

    /** Pids of "plight start" processes of the installed package. */
    static List<Long> daemons() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    List<String> args = List.of(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
                    if (args.contains("start") && args.stream().anyMatch(a -> a.startsWith("/usr/share/plight/lib/"))) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return pids;
    }

    /** The probe's status code, or -1 when nothing answers on the port. */
    private static int probe(int port) {
        try (RawHttp h = new RawHttp(port)) {
            return h.get().code();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long pid() throws IOException {
        return Long.parseLong(Files.readString(PIDFILE).strip());
    }

    private static void assertExit(int expected, Shell.Result r) {
        assertEquals(expected, r.exit(), r::toString);
    }

    @Test
    void installStartDisableRestartUpgradeStopAndPurge() throws Exception {
        install();
        assertExit(0, Shell.run("getent", "passwd", "plight"));
        assertTrue(Files.readString(Path.of("/etc/passwd")).lines().anyMatch(l -> l.startsWith("plight:") && l.endsWith(":/usr/sbin/nologin")));
        if (Shell.has("systemd-analyze")) {
            assertExit(0, Shell.run("systemd-analyze", "verify", "/lib/systemd/system/plightd.service"));
        }

        assertExit(0, initd("start"));
        assertEquals(200, probe(PORT));
        Shell.Result disable = Shell.run("/usr/bin/plight", "disable", "--reason", "package test");
        assertExit(0, disable);
        assertFalse(disable.err().contains("not running"), disable::toString);
        assertEquals(404, probe(PORT));
        assertExit(0, initd("status"));

        long before = pid();
        assertExit(0, initd("restart"));
        assertNotEquals(before, pid(), "restart kept the old daemon");
        assertEquals(404, probe(PORT));

        // An upgrade (here: the same package again) restarts the daemon on the new files; the state stays.
        before = pid();
        install();
        assertNotEquals(before, pid(), "the upgrade did not restart the daemon");
        assertEquals(404, probe(PORT));

        assertExit(0, initd("stop"));
        assertExit(3, initd("status"));
        assertEquals(-1, probe(PORT));

        assertExit(0, dpkg("--purge", "plight"));
        assertFalse(installed());
        assertFalse(PlightNode.answers(PORT), "something listens on " + PORT + " after the purge");
        assertEquals(List.of(), daemons());
        assertEquals(2, Shell.run("getent", "passwd", "plight").exit(), "the user plight outlived the purge");
        assertEquals(2, Shell.run("getent", "group", "plight").exit(), "the group plight outlived the purge");
        for (Path p : HOST_PATHS) {
            assertFalse(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), p + " outlived the purge");
        }
        try (Stream<Path> rc = Files.list(Path.of("/etc"))) {
            for (Path dir : rc.filter(d -> d.getFileName().toString().matches("rc[0-6S]\\.d")).toList()) {
                try (Stream<Path> links = Files.list(dir)) {
                    assertEquals(List.of(), links.filter(l -> l.getFileName().toString().endsWith("plightd")).toList(), dir::toString);
                }
            }
        }
    }

    /** Where the service is: running, stopped, or dead with its pidfile left behind (a crash). */
    private enum State {
        RUNNING(0), STOPPED(3), DEAD(1);

        final int status;

        State(int status) {
            this.status = status;
        }
    }

    private static State state() {
        int status = initd("status").exit();
        for (State s : State.values()) {
            if (s.status == status) {
                assertEquals(s == State.RUNNING, PlightNode.answers(PORT), "status " + status + " but the probe port says otherwise");
                return s;
            }
        }
        throw new AssertionError("status exit " + status);
    }

    /** Runs {@code action} twice from {@code from}; each run exits {@code exit} and leaves the service {@code to}. */
    private static void twice(String action, State from, int exit, State to) {
        assertEquals(from, state(), "before " + action);
        for (int run = 1; run <= 2; run++) {
            Shell.Result r = initd(action);
            int n = run;
            assertEquals(exit, r.exit(), () -> action + " (run " + n + ") from " + from + ": " + r);
            assertEquals(to, state(), action + " (run " + run + ") from " + from);
        }
    }

    /**
     * The actions that leave a service that is not running as it is: {@code status} says which way it is down,
     * a reload has nothing to reload (7, not running), {@code try-restart} has nothing to do.
     */
    private static void leftDown(State down) {
        twice("status", down, down.status, down);
        twice("bogus", down, 2, down);
        twice("reload", down, 7, down);
        twice("force-reload", down, 7, down);
        twice("try-restart", down, 0, down);
    }

    private static void crash() throws Exception {
        long pid = pid();
        assertExit(0, Shell.run("kill", "-KILL", Long.toString(pid)));
        Await.until(() -> !PlightNode.answers(PORT), Duration.ofSeconds(10), "the killed daemon's port to close");
        assertTrue(Files.exists(PIDFILE), "a crash leaves the pidfile");
    }

    @Test
    void theInitScriptAnswersEveryLsbActionInEveryState() throws Exception {
        install();
        // A fresh install starts the service (no init here to decline it).
        assertEquals(State.RUNNING, state());
        twice("status", State.RUNNING, 0, State.RUNNING);
        twice("bogus", State.RUNNING, 2, State.RUNNING);
        long pid = pid();
        twice("reload", State.RUNNING, 0, State.RUNNING);
        twice("force-reload", State.RUNNING, 0, State.RUNNING);
        twice("start", State.RUNNING, 0, State.RUNNING);
        assertEquals(pid, pid(), "reload or start replaced the running daemon");
        twice("try-restart", State.RUNNING, 0, State.RUNNING);
        assertNotEquals(pid, pid(), "try-restart did not restart");
        pid = pid();
        twice("restart", State.RUNNING, 0, State.RUNNING);
        assertNotEquals(pid, pid(), "restart did not restart");
        twice("stop", State.RUNNING, 0, State.STOPPED);

        leftDown(State.STOPPED);
        twice("stop", State.STOPPED, 0, State.STOPPED);
        twice("start", State.STOPPED, 0, State.RUNNING);
        assertExit(0, initd("stop"));
        twice("restart", State.STOPPED, 0, State.RUNNING);

        crash();
        leftDown(State.DEAD);
        twice("stop", State.DEAD, 0, State.STOPPED);
        assertFalse(Files.exists(PIDFILE), "stop left the stale pidfile");

        // A pidfile naming a process that is gone, as after a crash and a reboot's pid reuse.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(PIDFILE, gone.pid() + "\n");
        twice("start", State.DEAD, 0, State.RUNNING);
        crash();
        twice("restart", State.DEAD, 0, State.RUNNING);

        assertExit(2, Shell.run(INIT.toString()));
        assertExit(2, Shell.run(INIT.toString(), "start", "extra"));
        Shell.Result usage = initd("bogus");
        assertTrue(usage.err().contains("Usage: /etc/init.d/plightd {start|stop|restart|try-restart|reload|force-reload|status}"), usage::toString);
        assertExit(0, initd("stop"));

        // A configuration plight refuses: LSB's "not configured", with plight's own line saying why.
        String shipped = Files.readString(CONF);
        Files.writeString(CONF, shipped.replace("code = 404", "code = 4040"));
        Shell.Result refused = initd("start");
        assertExit(6, refused);
        assertTrue(refused.err().contains("plight.conf:") && refused.err().contains("4040"), refused::toString);
        assertEquals(State.STOPPED, state());
        Files.writeString(CONF, shipped);
    }

    /** Where policy-rc.d forbids service actions (a Docker image, a chroot being built), the package does not start one. */
    @Test
    void aPolicyThatForbidsServiceActionsIsHonoured() throws Exception {
        Shell.Result install = dpkgUnder(101, "-i", ServiceFilesIT.deb().toString());
        assertExit(0, install);
        assertTrue(install.err().contains("policy-rc.d denies 'start'"), install::toString);
        assertEquals(State.STOPPED, state());
        assertEquals(List.of(), daemons());
        assertExit(0, dpkgUnder(101, "--purge", "plight"));
    }

    /** The original Python plight's plight.conf: no [control] nor [daemon]; a port of its own, to tell it apart. */
    private static String originalConf(int port) {
        return Confs.ORIGINAL.replace("port = 10101", "port = " + port);
    }

    @Test
    void installingOverTheOriginalKeepsItsConfAndServesItsState() throws Exception {
        int port = Ports.free();
        String original = originalConf(port);
        Files.createDirectories(CONF.getParent());
        Files.writeString(CONF, original);
        Files.createDirectories(STATE);
        Files.createFile(STATE.resolve("node_disabled"));

        install();
        assertEquals(original, Files.readString(CONF), "the host's plight.conf was replaced");
        try (Stream<Path> etc = Files.list(CONF.getParent())) {
            assertEquals(List.of(CONF), etc.toList(), "leftovers next to plight.conf");
        }
        Await.until(() -> PlightNode.answers(port), Duration.ofSeconds(30), "the daemon on the original conf's port " + port);
        assertEquals(404, probe(port));
        assertEquals(-1, probe(PORT), "the packaged conf's port answers: the host's conf was not used");

        // Root's CLI finds the daemon the service runs as user plight, though the conf names no socket.
        Shell.Result status = Shell.run("/usr/bin/plight", "status");
        assertExit(0, status);
        assertTrue(status.out().startsWith("State: disabled\n"), status::toString);
        assertFalse((status.out() + status.err()).contains("not running"), status::toString);
        assertExit(0, Shell.run("/usr/bin/plight", "enable"));
        assertEquals(200, probe(port));
        assertFalse(Files.exists(STATE.resolve("node_disabled")));
        assertExit(0, Shell.run("/usr/bin/plight", "offline"));

        // Remove stops the daemon and keeps conf, state and user for a reinstall.
        assertExit(0, dpkg("--remove", "plight"));
        assertEquals(-1, probe(port));
        assertEquals(List.of(), daemons());
        assertEquals(original, Files.readString(CONF));
        assertTrue(Files.exists(STATE.resolve("node_offline")));
        assertExit(0, Shell.run("getent", "passwd", "plight"));
        assertExit(0, dpkg("--purge", "plight"));
        assertFalse(Files.exists(CONF));
        assertFalse(Files.exists(STATE));
    }
}
