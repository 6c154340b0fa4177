package plight.config;

import java.util.regex.Pattern;

/**
 * HAProxy's agent-check reply grammar: words separated by spaces, tabs or commas, each one of
 * {@code up|down|fail|stopped}, {@code ready|drain|maint}, {@code N%}, {@code maxconn:N}, {@code weight:N}
 * (HAProxy 3.1+); a word starting with {@code #} begins the description, which runs to the end of the line.
 * HAProxy ignores a word it does not know, so a typo ({@code donw}) would silently keep a node in rotation.
 */
public final class AgentLine {
    private static final Pattern WORD = Pattern.compile(
            "up|down|fail|stopped|ready|drain|maint|\\d{1,3}%|maxconn:\\d{1,9}|weight:\\d{1,3}", Pattern.CASE_INSENSITIVE);

    /** What is wrong with {@code line}, or {@code null}; {@code warnings} receives what only some HAProxy versions take. */
    public static String problem(String line, java.util.List<String> warnings) {
        String[] words = line.split("[ \t,]+");
        for (String w : words) {
            if (w.isEmpty()) continue;
            if (w.startsWith("#")) return null; // the description: free text
            if (!WORD.matcher(w).matches()) {
                return "agent line '" + line + "' has the word '" + w + "', which HAProxy does not know (valid: up, down, fail,"
                        + " stopped, ready, drain, maint, N%, maxconn:N, weight:N, and '#' starting the description)";
            }
            if (w.regionMatches(true, 0, "weight:", 0, 7)) {
                warnings.add("agent line '" + line + "': 'weight:N' is understood by HAProxy 3.1 and later only");
            }
        }
        return null;
    }

    private AgentLine() {
    }
}
