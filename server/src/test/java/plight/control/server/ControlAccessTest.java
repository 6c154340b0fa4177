package plight.control.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.control.Caller;

/**
 * Who may change anything: root, the daemon's user, the socket's group by primary gid, by the supplementary
 * groups of the caller's process, or, where those cannot be read, by the group's member list. A /proc and an
 * /etc/group of the test's own make each case; the end-to-end cases with real users are in PermissionIT.
 */
class ControlAccessTest {
    static final long DAEMON = 998;
    static final long GROUP = 1234;
    static final long CALLER = 65534;
    static final long PID = 4242;

    @TempDir
    Path dir;

    private Path proc;
    private Path groupFile;
    private ControlAccess access;

    @BeforeEach
    void files() throws IOException {
        proc = Files.createDirectories(dir.resolve("proc"));
        groupFile = dir.resolve("group");
        Files.writeString(groupFile, "root:x:0:\nplight:x:" + GROUP + ":someone,else\n");
        access = new ControlAccess(Path.of("/run/plight/control.sock"), DAEMON, GROUP, "plight", proc, groupFile);
    }

    private void process(long pid, long effectiveUid, String groups) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(d.resolve("status"), "Name:\tplight\nUid:\t" + effectiveUid + "\t" + effectiveUid + "\t"
                + effectiveUid + "\t" + effectiveUid + "\nGid:\t100\t100\t100\t100\nGroups:\t" + groups + "\nVmRSS:\t1 kB\n");
    }

    @Test
    void rootAndTheDaemonsUserMayWhateverTheirGroups() {
        assertTrue(access.permits(0, 0, PID));
        assertTrue(access.permits(DAEMON, 100, PID));
    }

    @Test
    void unknownCredentialsMayNot() {
        assertFalse(access.permits(-1, GROUP, -1));
    }

    @Test
    void theSocketsGroupAsPrimaryGroupMay() {
        assertTrue(access.permits(CALLER, GROUP, PID));
    }

    @Test
    void theSocketsGroupAsASupplementaryGroupOfTheProcessMay() throws IOException {
        process(PID, CALLER, "4 27 " + GROUP + " ");
        assertTrue(access.permits(CALLER, 100, PID));
    }

    @Test
    void aProcessWithoutTheGroupMayNotEvenIfEtcGroupListsItsUser() throws IOException {
        Files.writeString(groupFile, "plight:x:" + GROUP + ":" + Users.nameOf(CALLER) + "\n");
        process(PID, CALLER, "4 27");
        assertFalse(access.permits(CALLER, 100, PID), "the process dropped the group (setpriv --clear-groups): the kernel's view wins");
        process(PID, CALLER, "");
        assertFalse(access.permits(CALLER, 100, PID));
    }

    @Test
    void withoutItsProcessTheGroupsMemberListDecides() throws IOException {
        assertFalse(access.permits(CALLER, 100, PID), "hidden process, not a listed member");
        Files.writeString(groupFile, "plight:x:" + GROUP + ":someone," + Users.nameOf(CALLER) + "\n");
        assertTrue(access.permits(CALLER, 100, PID), "hidden process (hidepid), a listed member");
    }

    @Test
    void aPidNowOfAnotherUserProvesNothing() throws IOException {
        process(PID, 1000, "" + GROUP);
        assertFalse(access.permits(CALLER, 100, PID), "another uid's process under the caller's old pid");
    }

    @Test
    void withoutAControlGroupOnlyRootAndTheDaemonsUserMay() throws IOException {
        ControlAccess noGroup = new ControlAccess(Path.of("/s"), DAEMON, -1, null, proc, groupFile);
        process(PID, CALLER, "" + GROUP);
        assertFalse(noGroup.permits(CALLER, GROUP, PID));
        assertTrue(noGroup.permits(DAEMON, 100, PID));
        assertFalse(noGroup.refusal("stopping plight", new Caller(CALLER, PID, "x")).contains("group"));
    }

    @Test
    void theRefusalSaysWhoMayAndWhoAsked() {
        String text = access.refusal("changing the state", new Caller(CALLER, PID, "mallory"));
        assertTrue(text.startsWith("permission denied on the control socket /run/plight/control.sock: changing the state needs root, "
                + "the daemon's user (" + Users.nameOf(DAEMON) + ") or the socket's group 'plight'; mallory (uid "
                + CALLER + ", pid " + PID + ") is none of them"), text);
    }
}
