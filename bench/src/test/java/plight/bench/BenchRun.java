package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import plight.testkit.JsonReader;

/** One run of plight-bench in this JVM: its exit status, what it printed, and the JSON it wrote (null if none). */
record BenchRun(int status, String out, String err, Map<String, Object> json) {
    /** The keys every scenario's JSON has. */
    static final List<String> KEYS = List.of("scenario", "requests", "errors", "rps", "p50_us", "p90_us", "p99_us",
            "p999_us", "max_us", "stale");

    /** Runs plight-bench with {@code args} as given. */
    static BenchRun of(StateFlipper flipper, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), flipper);
        return new BenchRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), null);
    }

    /** Runs plight-bench with {@code args} and {@code --json} to a new file in {@code dir}, and reads that back. */
    static BenchRun withJson(Path dir, StateFlipper flipper, String... args) throws IOException {
        Path json = dir.resolve("out-" + System.nanoTime() + ".json");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--json", json.toString()));
        BenchRun run = of(flipper, all.toArray(String[]::new));
        Map<String, Object> parsed = Files.exists(json) ? JsonReader.object(Files.readString(json)) : null;
        return new BenchRun(run.status, run.out, run.err, parsed);
    }

    String describe() {
        return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err + "--- json\n" + json;
    }

    long number(String key) {
        return ((Number) json.get(key)).longValue();
    }

    /** Exit 0, a JSON with every key of {@link #KEYS} for {@code scenario}, some requests and no errors. */
    void assertNoErrors(String scenario) {
        assertEquals(0, status, describe());
        assertNotNull(json, describe());
        for (String key : KEYS) {
            assertTrue(json.containsKey(key), key + " missing: " + describe());
        }
        assertEquals(scenario, json.get("scenario"));
        assertTrue(number("requests") > 0, describe());
        assertEquals(0, number("errors"), describe());
    }
}
