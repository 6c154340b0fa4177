package plight.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** State tables over a temporary directory, and what the directory holds. */
final class Tables {
    private Tables() {
    }

    /** The original's three states. */
    static StateTable classic(Path dir) {
        return new StateTable(List.of(
                new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0),
                new State("disabled", dir.resolve("node_disabled"), 404, "node is unavailable", "disable", "up drain", Map.of(), 1),
                new State("offline", dir.resolve("node_offline"), 503, "node is offline", "offline", "down # node is offline", Map.of(), 2)));
    }

    /** The classic table over {@code dir}, a store on it, and its two states with a marker. */
    record Classic(StateTable table, StateStore store, State disabled, State offline) {
        static Classic in(Path dir) {
            StateTable table = classic(dir);
            return new Classic(table, new StateStore(table), table.byName("disabled").orElseThrow(),
                    table.byName("offline").orElseThrow());
        }
    }

    /** Four states, one with its own verb. */
    static StateTable custom(Path dir) {
        return new StateTable(List.of(
                new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0),
                new State("draining", dir.resolve("node_draining"), 200, "draining", "drain", "up drain", Map.of(), 1),
                new State("disabled", dir.resolve("node_disabled"), 404, "node is unavailable", "disable", "up drain", Map.of(), 2),
                new State("offline", dir.resolve("node_offline"), 503, "node is offline", "offline", "down", Map.of(), 3)));
    }

    /** Four states where the default is not the lowest priority: a 'standby' marker yields to no other marker. */
    static StateTable defaultInTheMiddle(Path dir) {
        return new StateTable(List.of(
                new State("standby", dir.resolve("node_standby"), 200, "standby", "standby", "up ready", Map.of(), 0),
                new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 1),
                new State("disabled", dir.resolve("node_disabled"), 404, "node is unavailable", "disable", "up drain", Map.of(), 2),
                new State("offline", dir.resolve("node_offline"), 503, "node is offline", "offline", "down", Map.of(), 3)));
    }

    /** The names of the marker files of {@code table} that exist. */
    static List<String> existingMarkers(StateTable table) {
        List<String> names = new ArrayList<>();
        for (State s : table.states()) {
            if (!s.isDefault() && Files.exists(s.file())) names.add(s.file().getFileName().toString());
        }
        return names;
    }

    /** Leftover temporary files of interrupted writes. */
    static List<String> tempFiles(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".plight-tmp")).sorted().toList();
        }
    }

}
