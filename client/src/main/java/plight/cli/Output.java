package plight.cli;

import java.io.PrintStream;
import plight.state.Marker;
import plight.state.NodeState;
import plight.state.State;
import plight.state.StateTable;

/** The CLI's printed forms, byte for byte those of the original plight where it had them. */
final class Output {
    static final String NOT_RUNNING = "WARNING: plight is not running";

    private Output() {
    }

    static void status(PrintStream out, NodeState node, boolean running) {
        StringBuilder sb = new StringBuilder();
        if (!running) sb.append(NOT_RUNNING).append('\n');
        State s = node.state();
        sb.append("State: ").append(s.name()).append('\n');
        sb.append("Code: ").append(s.code()).append('\n');
        sb.append("Message: ").append(s.message()).append('\n');
        Marker m = node.marker();
        if (m.since() != null) sb.append("Since: ").append(m.since()).append('\n');
        if (m.by() != null) sb.append("By: ").append(m.by()).append('\n');
        if (m.reason() != null) sb.append("Reason: ").append(m.reason()).append('\n');
        if (m.expires() != null) sb.append("Expires: ").append(m.expires()).append('\n');
        out.print(sb);
    }

    static void statusJson(PrintStream out, NodeState node, boolean running) {
        State s = node.state();
        Marker m = node.marker();
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"running\":").append(running);
        sb.append(",\"state\":").append(Json.quote(s.name()));
        sb.append(",\"code\":").append(s.code());
        sb.append(",\"message\":").append(Json.quote(s.message()));
        sb.append(",\"default\":").append(s.isDefault());
        sb.append(",\"since\":").append(Json.quoteOrNull(m.since() == null ? null : m.since().toString()));
        sb.append(",\"by\":").append(Json.quoteOrNull(m.by()));
        sb.append(",\"reason\":").append(Json.quoteOrNull(m.reason()));
        sb.append(",\"expires\":").append(Json.quoteOrNull(m.expires() == null ? null : m.expires().toString()));
        sb.append("}\n");
        out.print(sb);
    }

    static void listStates(PrintStream out, StateTable table) {
        StringBuilder sb = new StringBuilder();
        for (State s : table.states()) {
            sb.append("State: ").append(s.name()).append(s.isDefault() ? " [default]" : "").append('\n');
            sb.append("Code: ").append(s.code()).append('\n');
            sb.append("Message: ").append(s.message()).append('\n');
            sb.append('\n');
        }
        out.print(sb);
    }
}
