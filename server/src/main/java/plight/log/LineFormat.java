package plight.log;

import java.time.ZoneId;
import plight.text.Timestamps;

/** How a writer turns a message into a line. */
public enum LineFormat {
    /** {@code yyyy-MM-dd HH:mm:ss.SSS LEVEL message}, local time: the application log's text line. */
    TEXT,
    /** The message alone: JSON lines (which carry their own {@code ts}), access-log lines, the journal's. */
    MESSAGE;

    private static final ZoneId ZONE = ZoneId.systemDefault();

    /** The line with its line end. */
    String line(Level level, long epochMilli, String message) {
        if (this == MESSAGE) return message + "\n";
        return Timestamps.localMillis(epochMilli, ZONE) + " " + level.padded() + " " + message + "\n";
    }
}
