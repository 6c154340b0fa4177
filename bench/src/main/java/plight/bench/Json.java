package plight.bench;

import java.util.Locale;

/** A minimal hand-written JSON object writer (no library on purpose: the output is small and fixed). */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean first = true;

    Json() {
        sb.append('{');
    }

    Json field(String name, long value) {
        return name(name).append(value);
    }

    Json field(String name, int value) {
        return name(name).append(value);
    }

    /** Doubles keep up to 3 decimals; NaN and infinities (a ratio over 0) are written as null. */
    Json field(String name, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return fieldNull(name);
        }
        String s = String.format(Locale.ROOT, "%.3f", value);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return name(name).append(s);
    }

    /** {@code null} values are written as JSON null. */
    Json field(String name, Long value) {
        return value == null ? fieldNull(name) : field(name, value.longValue());
    }

    Json field(String name, String value) {
        return value == null ? fieldNull(name) : name(name).appendQuoted(value);
    }

    Json fieldNull(String name) {
        return name(name).append("null");
    }

    /** A nested value that is already JSON. */
    Json raw(String name, String json) {
        return name(name).append(json);
    }

    @Override
    public String toString() {
        return sb + "}";
    }

    private Json name(String name) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        appendQuoted(name);
        sb.append(':');
        return this;
    }

    private Json append(Object o) {
        sb.append(o);
        return this;
    }

    private Json appendQuoted(String s) {
        sb.append(plight.text.Json.quote(s));
        return this;
    }

    /** A JSON array of already-JSON values. */
    static String array(Iterable<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String item : items) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(item);
        }
        return sb.append(']').toString();
    }
}
