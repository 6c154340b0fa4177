package plight.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One answer of the control protocol: {@code OK} or {@code ERR <kind> <text>}, then {@code key: value} lines,
 * then an empty line. A key may repeat; in lists a repeated first key starts the next record. Plain JDK types
 * only: the CLI parses replies with this class and must not load Netty.
 */
public record Reply(boolean isOk, String errorKind, String errorText, List<Map.Entry<String, String>> fields) {
    /** Error kinds; the CLI maps them to exit statuses. */
    public static final String USAGE = "usage";
    public static final String FAILED = "failed";
    public static final String DENIED = "denied";
    /** The daemon is stopping: it makes no more changes and answers no more waits. */
    public static final String STOPPING = "stopping";
    public static final String TIMEOUT = "timeout";
    public static final String TOO_LONG = "too-long";
    /** The field of a refused reload that carries the configuration's error ({@code file:line: problem}). */
    public static final String CONFIG_ERROR = "config-error";
    /** Sent instead of the greeting to a caller over its share of control connections; then the daemon closes. */
    public static final String BUSY = "busy";

    public Reply {
        fields = List.copyOf(fields);
    }

    public static Builder success() {
        return new Builder();
    }

    public static Reply error(String kind, String text) {
        return new Reply(false, kind, text, List.of());
    }

    /** The first value of {@code key}, or {@code null}. */
    public String get(String key) {
        for (Map.Entry<String, String> e : fields) {
            if (e.getKey().equals(key)) return e.getValue();
        }
        return null;
    }

    /** Every value of {@code key}, in order. */
    public List<String> all(String key) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> e : fields) {
            if (e.getKey().equals(key)) values.add(e.getValue());
        }
        return values;
    }

    public String render() {
        StringBuilder sb = new StringBuilder(64);
        if (isOk) {
            sb.append("OK\n");
        } else {
            sb.append("ERR ").append(errorKind).append(' ').append(errorText).append('\n');
        }
        for (Map.Entry<String, String> e : fields) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        return sb.append('\n').toString();
    }

    /**
     * Parses the lines of one reply, without the terminating empty line.
     *
     * @throws IllegalArgumentException when the lines are not a reply
     */
    public static Reply parse(List<String> lines) {
        if (lines.isEmpty()) throw new IllegalArgumentException("empty reply");
        String head = lines.get(0);
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(": ");
            if (colon <= 0) throw new IllegalArgumentException("not a 'key: value' line: " + line);
            fields.add(Map.entry(line.substring(0, colon), line.substring(colon + 2)));
        }
        if (head.equals("OK")) return new Reply(true, null, null, fields);
        if (head.startsWith("ERR ")) {
            String rest = head.substring(4);
            int sp = rest.indexOf(' ');
            return sp < 0 ? new Reply(false, rest, "", fields) : new Reply(false, rest.substring(0, sp), rest.substring(sp + 1), fields);
        }
        throw new IllegalArgumentException("reply starts with neither OK nor ERR: " + head);
    }

    public static final class Builder {
        private final List<Map.Entry<String, String>> fields = new ArrayList<>();

        private Builder() {
        }

        /** Adds {@code key: value}; {@code null} values are left out. */
        public Builder field(String key, Object value) {
            if (value != null) fields.add(Map.entry(key, value.toString()));
            return this;
        }

        public Reply build() {
            return new Reply(true, null, null, fields);
        }
    }
}
