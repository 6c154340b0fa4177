package plight.control;

/** Constants of the control protocol that both ends must agree on. */
public final class Protocol {
    /** Protocol version; changes only with an incompatible change of the wire. */
    public static final int VERSION = 1;
    /** The line the daemon sends first on every control connection (without its newline). */
    public static final String GREETING = "PLIGHT " + VERSION;

    private Protocol() {
    }
}
