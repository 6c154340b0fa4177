package plight.control;

/**
 * A load balancer's own view of this node, as HAProxy's {@code http-check send-state} reports it in each check:
 * {@code X-Haproxy-Server-State: UP 2/3; address=10.0.0.1; port=80; name=be/srv; node=lb1; weight=1/2; scur=3/10; qcur=0}
 * (and {@code ; throttle=N%} during slow start). {@code checks} is the {@code n/m} count HAProxy adds while the
 * server is in transition between states; it is {@code null} when the state is settled.
 */
public record LbView(String state, String checks, String name, String node, String weight, String scur, String throttle) {
    /** Longest header value looked at; HAProxy's is well under 200 bytes. */
    static final int MAX_LENGTH = 1024;

    /** The view in a {@code X-Haproxy-Server-State} value; {@code null} for anything that is not one (garbage is ignored). */
    public static LbView parse(String header) {
        if (header == null || header.length() > MAX_LENGTH) return null;
        String[] parts = header.split(";");
        if (parts.length == 0) return null;
        String[] head = parts[0].strip().split(" +");
        if (head.length == 0 || head.length > 2) return null;
        String state = switch (head[0]) {
            case "UP", "DOWN", "NOLB", "MAINT" -> head[0];
            default -> null;
        };
        if (state == null) return null;
        String checks = head.length == 2 ? head[1] : null;
        if (checks != null && !checks.matches("\\d{1,9}/\\d{1,9}")) return null;
        String name = null, node = null, weight = null, scur = null, throttle = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            int eq = p.indexOf('=');
            if (eq <= 0) continue;
            String value = word(p.substring(eq + 1).strip());
            switch (p.substring(0, eq)) {
                case "name" -> name = value;
                case "node" -> node = value;
                case "weight" -> weight = fraction(value);
                case "scur" -> scur = fraction(value);
                case "throttle" -> throttle = value != null && value.matches("\\d{1,3}%") ? value : null;
                default -> { } // address, port, qcur, and whatever a later HAProxy adds
            }
        }
        return new LbView(state, checks, name, node, weight, scur, throttle);
    }

    /** Whether this view shows a state settled on {@code code}'s answer: 2xx {@code UP}; 404 {@code NOLB} or {@code DOWN}; else {@code DOWN}. */
    public boolean settledOn(int code) {
        if (checks != null) return false;
        if (code >= 200 && code < 300) return state.equals("UP");
        if (code == 404) return state.equals("NOLB") || state.equals("DOWN");
        return state.equals("DOWN");
    }

    /** Sessions HAProxy has open to this server (the {@code N} of {@code scur=N/M}); -1 when not reported. */
    public long sessions() {
        if (scur == null) return -1;
        int slash = scur.indexOf('/');
        try {
            return Long.parseLong(slash < 0 ? scur : scur.substring(0, slash));
        } catch (NumberFormatException e) { // read back from a reply line, not parsed here
            return -1;
        }
    }

    /** The state with its {@code n/m} count, as HAProxy writes it: {@code UP 2/3}. */
    public String describe() {
        return checks == null ? state : state + " " + checks;
    }

    /** A value that fits in one word of a control reply: printable, no spaces; {@code null} otherwise. */
    private static String word(String v) {
        if (v.isEmpty() || v.length() > 256) return null;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= 0x20 || plight.text.Controls.isControl(c) || c == '=') return null;
        }
        return v;
    }

    private static String fraction(String v) {
        return v != null && v.matches("\\d{1,9}(/\\d{1,9})?") ? v : null;
    }
}
