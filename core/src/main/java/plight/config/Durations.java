package plight.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them, the one grammar of the configuration, the control protocol, the CLI and
 * plight-bench: {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 10m}, {@code 2h}, {@code 1d}; a bare number is
 * seconds. It is the union of the two grammars plight had (the configuration's days, plight-bench's decimals).
 */
public final class Durations {
    /** What {@link #parse} accepts, in words; every message about a bad duration says it. */
    public static final String GRAMMAR = "a whole or decimal number with an optional unit ms, s, m, h or d,"
            + " e.g. 30s, 1.5s or 10m; a bare number is seconds; nothing finer than a millisecond";

    private static final Pattern FORM = Pattern.compile("(\\d{1,13})(?:\\.(\\d{1,12}))?\\s*(ms|s|m|h|d)?");

    /** Longer than any sensible TTL or timeout, short enough that adding it to now cannot overflow. */
    public static final Duration MAX = Duration.ofDays(36500);

    private Durations() {
    }

    /** @throws IllegalArgumentException with a message that says what is valid */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unparsable duration '" + text + "' (expected " + GRAMMAR + ")");
        }
        long unitMillis = switch (m.group(3) == null ? "s" : m.group(3)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
        };
        Duration whole = Duration.ofMillis(unitMillis).multipliedBy(Long.parseLong(m.group(1)));
        if (m.group(2) == null) return whole;
        BigDecimal fraction = new BigDecimal("0." + m.group(2)).multiply(BigDecimal.valueOf(unitMillis));
        try {
            return whole.plusMillis(fraction.longValueExact());
        } catch (ArithmeticException finer) {
            throw new IllegalArgumentException("duration '" + text + "' is finer than a millisecond (expected " + GRAMMAR + ")");
        }
    }

    /**
     * The one bounds check: a duration longer than 0 and at most {@link #MAX}.
     *
     * @param name what the duration is, as the message should call it: {@code 'ttl'}, {@code --ttl}, ...
     * @throws IllegalArgumentException {@code NAME must be longer than 0}, {@code NAME must be at most 36500d}
     *                                  or {@code NAME: } followed by what is wrong with the text
     */
    public static Duration parsePositive(String name, String text) {
        Duration d = parseAtMostMax(name, text);
        if (d.isZero()) throw new IllegalArgumentException(name + " must be longer than 0");
        return d;
    }

    /** As {@link #parsePositive}, but 0 is allowed: for pauses that may be left out. */
    public static Duration parseAtMostMax(String name, String text) {
        Duration d;
        try {
            d = parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        if (d.compareTo(MAX) > 0) throw new IllegalArgumentException(name + " must be at most " + format(MAX));
        return d;
    }

    /** The shortest exact spelling, e.g. {@code 90s} → {@code 90s}, {@code 2h} → {@code 2h}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) return ms + "ms";
        long s = ms / 1000;
        if (s != 0 && s % 86400 == 0) return s / 86400 + "d";
        if (s != 0 && s % 3600 == 0) return s / 3600 + "h";
        if (s != 0 && s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }
}
