package plight.log;

/** A log line's severity, lowest first; {@link #OFF} only as a writer's minimum. */
public enum Level {
    TRACE("TRACE", "trace", 7), DEBUG("DEBUG", "debug", 7), INFO("INFO ", "info", 6), WARN("WARN ", "warn", 4),
    ERROR("ERROR", "error", 3), OFF("", "off", 7);

    private final String padded;
    private final String lower;
    private final int syslogPriority;

    Level(String padded, String lower, int syslogPriority) {
        this.padded = padded;
        this.lower = lower;
        this.syslogPriority = syslogPriority;
    }

    /** The name as {@code plight.config.LogSettings} holds it ({@code trace} … {@code error}, {@code off}). */
    public static Level of(String name) {
        for (Level l : values()) {
            if (l.lower.equals(name)) return l;
        }
        throw new IllegalArgumentException("log level '" + name + "' is not one of trace, debug, info, warn, error, off");
    }

    /** Upper case, padded to five characters: the text line's level column. */
    String padded() {
        return padded;
    }

    /** Lower case: the JSON line's {@code level}. */
    String lower() {
        return lower;
    }

    /** The syslog priority systemd's journal reads from a {@code <N>} prefix. */
    public int syslogPriority() {
        return syslogPriority;
    }
}
