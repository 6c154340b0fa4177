package plight.control.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import plight.control.Caller;

/**
 * Who may change anything through the control socket (a state, a reload, a stop): root, the daemon's own user
 * and members of the socket's group, whatever the socket's mode lets connect. Read-only requests are not
 * checked here.
 *
 * <p>Membership is the caller's primary gid (SO_PEERCRED) or one of its supplementary groups, read from
 * {@code /proc/<pid>/status}. That is the set the kernel checks file access against, so it agrees with the
 * socket's own mode bits and includes groups given by {@code setpriv}, {@code newgrp}, {@code sg} or a directory
 * service (LDAP, SSSD), which {@code /etc/group} does not list. Where {@code /proc} hides other users'
 * processes ({@code hidepid}) or the pid no longer belongs to the caller's uid, the group's member list in
 * {@code /etc/group} is used instead.
 */
final class ControlAccess {
    private final Path socket;
    private final long daemonUid;
    private final long groupGid;
    private final String groupName;
    private final Path proc;
    private final Path groupFile;

    /**
     * @param groupGid the control socket's group; -1 when unknown (then only root and the daemon's user may change)
     */
    ControlAccess(Path socket, long daemonUid, long groupGid, String groupName, Path proc, Path groupFile) {
        this.socket = socket;
        this.daemonUid = daemonUid;
        this.groupGid = groupGid;
        this.groupName = groupName;
        this.proc = proc;
        this.groupFile = groupFile;
    }

    static ControlAccess of(Path socket, long daemonUid, long groupGid, String groupName) {
        return new ControlAccess(socket, daemonUid, groupGid, groupName, Path.of("/proc"), Path.of("/etc/group"));
    }

    /** Whether the peer with these credentials (from SO_PEERCRED) may change anything. */
    boolean permits(long uid, long gid, long pid) {
        if (uid < 0) return false; // credentials unknown
        if (uid == 0 || uid == daemonUid) return true;
        if (groupGid < 0) return false;
        if (gid == groupGid) return true;
        long[] groups = supplementaryGroups(uid, pid);
        if (groups != null) return Arrays.stream(groups).anyMatch(g -> g == groupGid);
        return listedInGroupFile(Users.nameOf(uid));
    }

    /** The error text for a caller refused {@code change} ("changing the state"): who may, and who asked. */
    String refusal(String change, Caller caller) {
        return "permission denied on the control socket " + socket + ": " + change + " needs root, the daemon's user ("
                + Users.nameOf(daemonUid) + ")" + (groupGid < 0 ? "" : " or the socket's group '" + groupName + "'")
                + "; " + caller.describe() + " is none of them";
    }

    /** The supplementary groups of {@code pid}, or {@code null} when they cannot be read or pid is not {@code uid}'s. */
    private long[] supplementaryGroups(long uid, long pid) {
        if (pid <= 0) return null;
        try {
            long[] uids = null;
            long[] groups = null;
            for (String line : Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) uids = numbers(line.substring(4));
                if (line.startsWith("Groups:")) groups = numbers(line.substring(7));
            }
            // SO_PEERCRED gives the effective uid at connect; another uid's process under that pid proves nothing.
            if (uids == null || uids.length < 2 || uids[1] != uid || groups == null) return null;
            return groups;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private boolean listedInGroupFile(String user) {
        try {
            for (String line : Files.readAllLines(groupFile, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length == 4 && f[2].equals(Long.toString(groupGid))) {
                    if (Arrays.asList(f[3].split(",")).contains(user)) return true;
                }
            }
        } catch (IOException e) {
            // nothing more to go on: not a member
        }
        return false;
    }

    private static long[] numbers(String text) {
        String t = text.strip();
        return t.isEmpty() ? new long[0] : Arrays.stream(t.split("\\s+")).mapToLong(Long::parseLong).toArray();
    }
}
