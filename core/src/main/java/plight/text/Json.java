package plight.text;

/** JSON string quoting for the CLI and plight-bench; a library would cost start-up time for four escapes. */
public final class Json {
    private Json() {
    }

    public static String quoteOrNull(String s) {
        return s == null ? "null" : quote(s);
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // C1 and the Unicode separators too, so that no reader of a JSON line takes them for its end.
                    if (Controls.isControl(c)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
