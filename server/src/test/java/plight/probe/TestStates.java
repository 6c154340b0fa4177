package plight.probe;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import plight.state.State;

/** The three classic states, as plight.conf ships them. */
final class TestStates {
    static final State ENABLED = new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0);
    static final State DISABLED = new State("disabled", Path.of("/nonexistent/node_disabled"), 404,
            "node is unavailable", "disable", "up drain", Map.of(), 1);
    static final State OFFLINE = new State("offline", Path.of("/nonexistent/node_offline"), 503, "node is offline",
            "offline", "down", headers("x-envoy-immediate-health-check-fail", "true", "X-Extra", "two words"), 2);

    private TestStates() {
    }

    static State withCode(String name, int code, String message) {
        return new State(name, Path.of("/nonexistent/" + name), code, message, name, "down", Map.of(), 3);
    }

    private static Map<String, String> headers(String... nameValue) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put(nameValue[i], nameValue[i + 1]);
        }
        return m;
    }
}
