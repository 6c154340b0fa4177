package plight.control;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One probe source as the {@code stats} and {@code wait} replies carry it:
 * {@code ADDRESS last=INSTANT interval_ms=N state=NAME streak=N probes=N}. The daemon renders it and the CLI
 * parses it, both through this type. Parsing is lenient: a field that is missing or unreadable is {@code null}.
 */
public record SourceLine(String address, Instant lastSeen, Long intervalMillis, String state, Long streak, Long probes) {

    public String render() {
        return address + " last=" + lastSeen + " interval_ms=" + intervalMillis + " state=" + state
                + " streak=" + streak + " probes=" + probes;
    }

    /** The fields of {@code line}; the first word is the address, later {@code key=value} words win over earlier ones. */
    public static SourceLine parse(String line) {
        String[] words = line.split(" ");
        String last = null;
        String interval = null;
        String state = null;
        String streak = null;
        String probes = null;
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) continue;
            String value = words[i].substring(eq + 1);
            switch (words[i].substring(0, eq)) {
                case "last" -> last = value;
                case "interval_ms" -> interval = value;
                case "state" -> state = value;
                case "streak" -> streak = value;
                case "probes" -> probes = value;
                default -> { } // a field from a newer daemon
            }
        }
        return new SourceLine(words[0], instant(last), number(interval), state, number(streak), number(probes));
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Long number(String s) {
        if (s == null || s.isEmpty()) return null;
        for (int i = s.startsWith("-") ? 1 : 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) { // "-", or beyond a long
            return null;
        }
    }
}
