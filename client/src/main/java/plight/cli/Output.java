package plight.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import plight.text.Json;
import plight.control.Reply;
import plight.control.SourceLine;
import plight.state.Marker;
import plight.state.State;
import plight.state.StateTable;

/** The CLI's printed forms, byte for byte those of the original plight where it had them. */
final class Output {
    static final String NOT_RUNNING = "WARNING: plight is not running";

    private Output() {
    }

    static void status(PrintStream out, StatusView node, boolean running) {
        StringBuilder sb = new StringBuilder();
        if (!running) sb.append(NOT_RUNNING).append('\n');
        sb.append("State: ").append(node.state()).append('\n');
        sb.append("Code: ").append(node.code()).append('\n');
        sb.append("Message: ").append(node.message()).append('\n');
        Marker m = node.marker();
        if (m.since() != null) sb.append("Since: ").append(m.since()).append('\n');
        if (m.by() != null) sb.append("By: ").append(visible(m.by())).append('\n');
        if (m.reason() != null) sb.append("Reason: ").append(visible(m.reason())).append('\n');
        if (m.expires() != null) sb.append("Expires: ").append(m.expires()).append('\n');
        out.print(sb);
    }

    /**
     * A marker's text as it may be printed on a terminal: anyone who can write the file could otherwise clear
     * the screen or rewrite the lines above. Control characters (C0, DEL, C1) become {@code \n}, {@code \r},
     * {@code \t} or {@code \xHH}; everything else is kept.
     */
    static String visible(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c)) {
                if (sb != null) sb.append(c);
                continue;
            }
            if (sb == null) sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return sb == null ? text : sb.toString();
    }

    static void statusJson(PrintStream out, StatusView node, boolean running) {
        Marker m = node.marker();
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"running\":").append(running);
        sb.append(",\"state\":").append(Json.quote(node.state()));
        sb.append(",\"code\":").append(node.code());
        sb.append(",\"message\":").append(Json.quote(node.message()));
        sb.append(",\"default\":").append(node.isDefault());
        sb.append(",\"since\":").append(Json.quoteOrNull(m.since() == null ? null : m.since().toString()));
        sb.append(",\"by\":").append(Json.quoteOrNull(m.by()));
        sb.append(",\"reason\":").append(Json.quoteOrNull(m.reason()));
        sb.append(",\"expires\":").append(Json.quoteOrNull(m.expires() == null ? null : m.expires().toString()));
        sb.append("}\n");
        out.print(sb);
    }

    /** @param agent whether to add each state's {@code Agent:} line, which the original's output does not have */
    static void listStates(PrintStream out, StateTable table, boolean agent) {
        StringBuilder sb = new StringBuilder();
        for (State s : table.states()) {
            sb.append("State: ").append(s.name()).append(s.isDefault() ? " [default]" : "").append('\n');
            sb.append("Code: ").append(s.code()).append('\n');
            sb.append("Message: ").append(s.message()).append('\n');
            if (agent) sb.append("Agent: ").append(s.agentLine()).append('\n');
            sb.append('\n');
        }
        out.print(sb);
    }

    /** {@code stats} for people: counters, then one row per probe source. */
    static String stats(Reply r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Open connections: ").append(r.get("connections")).append('\n');
        sb.append("Probes served:\n");
        for (Map.Entry<String, String> e : r.fields()) {
            if (e.getKey().startsWith("probes.")) {
                sb.append("  ").append(e.getKey().substring("probes.".length())).append(": ").append(e.getValue()).append('\n');
            }
        }
        List<String> sources = r.all("source");
        sb.append("Probe sources: ").append(sources.size()).append('\n');
        for (String source : sources) {
            SourceLine s = SourceLine.parse(source);
            // Seen once, a source has no interval yet (the daemon reports 0).
            String interval = Long.valueOf(1).equals(s.probes()) ? "interval unknown" : "every " + s.intervalMillis() + " ms";
            sb.append("  ").append(s.address()).append("  ").append(s.kind() == null ? "other" : s.kind())
                    .append("  last seen ").append(s.lastSeen())
                    .append("  ").append(interval).append("  served ").append(s.state())
                    .append(" x").append(s.streak());
            if (s.lb() != null) {
                // The load balancer's own view (HAProxy send-state).
                sb.append("  LB ").append(s.lb().describe());
                if (s.lb().name() != null) sb.append(" ").append(s.lb().name());
                if (s.lb().node() != null) sb.append(" on ").append(s.lb().node());
                if (s.lb().weight() != null) sb.append(" weight ").append(s.lb().weight());
                if (s.lb().scur() != null) sb.append(" scur ").append(s.lb().scur());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String statsJson(Reply r) {
        StringBuilder sb = new StringBuilder("{\"connections\":").append(number(r.get("connections")));
        sb.append(",\"probes\":{");
        String sep = "";
        for (Map.Entry<String, String> e : r.fields()) {
            if (e.getKey().startsWith("probes.")) {
                sb.append(sep).append(Json.quote(e.getKey().substring("probes.".length()))).append(':').append(number(e.getValue()));
                sep = ",";
            }
        }
        sb.append("},\"sources\":[");
        sep = "";
        for (String source : r.all("source")) {
            SourceLine s = SourceLine.parse(source);
            sb.append(sep).append("{\"address\":").append(Json.quote(s.address()))
                    .append(",\"last_seen\":").append(Json.quoteOrNull(s.lastSeen() == null ? null : s.lastSeen().toString()))
                    .append(",\"interval_ms\":").append(s.intervalMillis())
                    .append(",\"state\":").append(Json.quoteOrNull(s.state()))
                    .append(",\"streak\":").append(s.streak())
                    .append(",\"probes\":").append(s.probes())
                    .append(",\"kind\":").append(Json.quote(s.kind() == null ? "other" : s.kind()))
                    .append(",\"lb\":").append(lbJson(s)).append('}');
            sep = ",";
        }
        return sb.append("]}\n").toString();
    }

    /** The load balancer's own view of a source as JSON, or {@code null}. */
    static String lbJson(SourceLine s) {
        if (s.lb() == null) return "null";
        return "{\"state\":" + Json.quote(s.lb().state()) + ",\"checks\":" + Json.quoteOrNull(s.lb().checks())
                + ",\"name\":" + Json.quoteOrNull(s.lb().name()) + ",\"node\":" + Json.quoteOrNull(s.lb().node())
                + ",\"weight\":" + Json.quoteOrNull(s.lb().weight()) + ",\"scur\":" + Json.quoteOrNull(s.lb().scur())
                + ",\"sessions\":" + (s.lb().sessions() < 0 ? "null" : Long.toString(s.lb().sessions())) + "}";
    }

    private static String number(String s) {
        return s == null || !s.matches("-?\\d+") ? "null" : s;
    }
}
