package plight.text;

/**
 * Characters that must never reach a response, a reply line, a marker file or a log line from text someone
 * else wrote (a reason, a message, a header value, a marker file, a prober's header): they could end a line
 * there or start another one. That is every control character but the tab (C0, DEL, C1 with NEL among them)
 * and the Unicode line and paragraph separators.
 */
public final class Controls {
    private Controls() {
    }

    public static boolean isControl(char c) {
        return c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
    }

    /** The index of the first such character in {@code s}, or -1. */
    public static int indexOf(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) return i;
        }
        return -1;
    }

    /** {@code s} with each such character replaced by a space. */
    public static String toSpaces(String s) {
        if (indexOf(s) < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(isControl(c) ? ' ' : c);
        }
        return sb.toString();
    }

    /** {@code s} with each such character written as a backslash escape (n, r, xHH or uHHHH), for a message quoting it. */
    public static String escape(String s) {
        if (indexOf(s) < 0) return s;
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isControl(c)) sb.append(c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (c <= 0xff) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }

    /** How to name the character at {@code i} in a message: {@code U+000D}. */
    public static String describe(String s, int i) {
        return String.format("U+%04X", (int) s.charAt(i));
    }
}
