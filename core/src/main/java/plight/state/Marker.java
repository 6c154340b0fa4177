package plight.state;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata a marker file may carry as {@code key=value} lines. Every field is optional: an empty file
 * (an operator's {@code touch}) is a valid marker.
 *
 * @param since   when the state was set
 * @param by      who set it, e.g. {@code alice (uid 1000, pid 4242)}
 * @param reason  free text given with {@code --reason}
 * @param expires when the daemon returns the node to the default state
 */
public record Marker(Instant since, String by, String reason, Instant expires) {
    public static final Marker EMPTY = new Marker(null, null, null, null);

    /** Parses marker file content; unknown keys and lines that are not {@code key=value} are ignored. */
    public static Marker parse(String content) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : content.split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1).strip());
            }
        }
        // Anyone who can write the directory writes markers: what they say reaches reply lines and the log.
        return new Marker(instant(kv.get("since")), field(kv.get("by")), field(kv.get("reason")),
                instant(kv.get("expires")));
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        if (since != null) sb.append("since=").append(since).append('\n');
        if (by != null) sb.append("by=").append(oneLine(by)).append('\n');
        if (reason != null) sb.append("reason=").append(oneLine(reason)).append('\n');
        if (expires != null) sb.append("expires=").append(expires).append('\n');
        return sb.toString();
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    /** A value is one line: a line break in it must not start another {@code key=value}. */
    private static String oneLine(String s) {
        return s == null ? null : plight.text.Controls.toSpaces(s.replace('\t', ' '));
    }

    /** A text field as read: one line, trimmed, {@code null} when blank. */
    private static String field(String value) {
        return value == null ? null : blankToNull(oneLine(value).strip());
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
