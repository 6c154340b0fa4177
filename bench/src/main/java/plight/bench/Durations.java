package plight.bench;

import java.util.Locale;

/** Durations on the command line: {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
final class Durations {
    static final String VALID = "a number with a unit: ms, s, m or h (e.g. 500ms, 10s, 2m); a bare number means seconds";

    private Durations() {
    }

    /** @return nanoseconds, or -1 when {@code text} is not a duration */
    static long parseNanos(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit;
        String number;
        if (t.endsWith("ms")) {
            unit = 1_000_000L;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unit = 1_000_000_000L;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unit = 60_000_000_000L;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unit = 3_600_000_000_000L;
            number = t.substring(0, t.length() - 1);
        } else {
            unit = 1_000_000_000L;
            number = t;
        }
        if (number.isEmpty() || !number.matches("[0-9]+(\\.[0-9]+)?")) {
            return -1;
        }
        double value = Double.parseDouble(number) * unit;
        if (value > 365.0 * 24 * 3_600_000_000_000L) {
            return -1;
        }
        return Math.round(value);
    }

    /** Short human form: 500ms, 10s, 1.5s, 2m. */
    static String format(long nanos) {
        if (nanos % 60_000_000_000L == 0 && nanos >= 60_000_000_000L) {
            return nanos / 60_000_000_000L + "m";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos < 1_000_000_000L && nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
    }
}
