package plight.control;

/** Who is on the other end of a control connection, from SO_PEERCRED. */
public record Caller(long uid, long pid, String user) {
    /** How the audit log and marker files name the caller: {@code alice (uid 1000, pid 4242)}. */
    public String describe() {
        return user + " (uid " + uid + ", pid " + pid + ")";
    }
}
