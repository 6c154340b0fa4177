package plight.control.server;

import java.util.HashMap;
import java.util.Map;

/**
 * How many control connections may be open at once: the socket is often reachable by every local user (mode
 * 0666 for read-only {@code status}), and each connection holds one of the daemon's file descriptors, which the
 * probe port needs. Root and the daemon's own user are not counted (an operator can always get in); every other
 * uid may hold {@code perUid} connections, and all of them together {@code others}, so that one user, or a few,
 * cannot take the descriptors or lock out the rest. Used on the control server's one event-loop thread.
 */
final class ControlQuota {
    /** A CLI holds one connection, a {@code --wait} one for its whole wait; far more than any caller needs. */
    static final int PER_UID = 16;
    static final int OTHERS = 128;

    private final long daemonUid;
    private final int perUid;
    private final int others;
    private final Map<Long, Integer> open = new HashMap<>();
    private int othersOpen;

    ControlQuota(long daemonUid, int perUid, int others) {
        this.daemonUid = daemonUid;
        this.perUid = perUid;
        this.others = others;
    }

    private boolean exempt(long uid) {
        return uid == 0 || uid == daemonUid;
    }

    /**
     * Takes a place for a connection from {@code uid} (-1: unknown credentials, counted as one more user).
     *
     * @return null when admitted (call {@link #release} when it closes), else why not, for an {@code ERR busy} line
     */
    String admit(long uid) {
        if (exempt(uid)) return null;
        int mine = open.getOrDefault(uid, 0);
        if (mine >= perUid) {
            return "too many control connections from uid " + uid + " (at most " + perUid + " at a time); try again later";
        }
        if (othersOpen >= others) {
            return "too many control connections from users other than root and the daemon's (at most " + others
                    + " at a time); try again later";
        }
        open.put(uid, mine + 1);
        othersOpen++;
        return null;
    }

    void release(long uid) {
        if (exempt(uid)) return;
        open.computeIfPresent(uid, (u, n) -> n == 1 ? null : n - 1);
        othersOpen--;
    }
}
