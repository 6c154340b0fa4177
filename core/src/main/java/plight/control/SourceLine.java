package plight.control;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One probe source as the {@code stats} and {@code wait} replies carry it:
 * {@code ADDRESS last=INSTANT interval_ms=N state=NAME streak=N probes=N kind=KIND}, then the load balancer's own
 * view when it reports one ({@code lb=NOLB lb_checks=2/3 lb_name=be/srv lb_node=lb1 lb_weight=1/2 lb_scur=0/10}).
 * {@code kind} is the prober's ({@code haproxy}, {@code envoy}, {@code kube-probe}, {@code other}, or {@code agent} for
 * the agent-check port). The daemon renders it and the CLI
 * parses it, both through this type. Parsing is lenient: a field that is missing or unreadable is {@code null}.
 */
public record SourceLine(String address, Instant lastSeen, Long intervalMillis, String state, Long streak, Long probes,
                         String kind, LbView lb) {

    public SourceLine(String address, Instant lastSeen, Long intervalMillis, String state, Long streak, Long probes) {
        this(address, lastSeen, intervalMillis, state, streak, probes, null, null);
    }

    public String render() {
        StringBuilder sb = new StringBuilder(address).append(" last=").append(lastSeen).append(" interval_ms=").append(intervalMillis)
                .append(" state=").append(state).append(" streak=").append(streak).append(" probes=").append(probes);
        if (kind != null) sb.append(" kind=").append(kind);
        if (lb != null) {
            sb.append(" lb=").append(lb.state());
            field(sb, "lb_checks", lb.checks());
            field(sb, "lb_name", lb.name());
            field(sb, "lb_node", lb.node());
            field(sb, "lb_weight", lb.weight());
            field(sb, "lb_scur", lb.scur());
            field(sb, "lb_throttle", lb.throttle());
        }
        return sb.toString();
    }

    /** Who this source is, for people: the address, what kind of prober, and the LB's name for the server if known. */
    public String who() {
        String k = kind == null || kind.equals("other") ? "" : " (" + kind + (lb != null && lb.name() != null ? " " + lb.name() : "")
                + (lb != null && lb.node() != null ? " on " + lb.node() : "") + ")";
        return address + k;
    }

    private static void field(StringBuilder sb, String key, String value) {
        if (value != null) sb.append(' ').append(key).append('=').append(value);
    }

    /** The fields of {@code line}; the first word is the address, later {@code key=value} words win over earlier ones. */
    public static SourceLine parse(String line) {
        String[] words = line.split(" ");
        String last = null;
        String interval = null;
        String state = null;
        String streak = null;
        String probes = null;
        String kind = null;
        java.util.Map<String, String> lb = new java.util.HashMap<>();
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
                case "kind" -> kind = value;
                default -> {
                    if (words[i].startsWith("lb")) lb.put(words[i].substring(0, eq), value); // else a field from a newer daemon
                }
            }
        }
        LbView view = lb.get("lb") == null ? null : new LbView(lb.get("lb"), lb.get("lb_checks"), lb.get("lb_name"), lb.get("lb_node"),
                lb.get("lb_weight"), lb.get("lb_scur"), lb.get("lb_throttle"));
        return new SourceLine(words[0], instant(last), number(interval), state, number(streak), number(probes), kind, view);
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
