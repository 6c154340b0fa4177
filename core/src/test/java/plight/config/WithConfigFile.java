package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Confs;

/** A test of config files: each written as plight.conf in the test's directory and loaded without environment overrides. */
abstract class WithConfigFile {
    @TempDir
    Path dir;

    final ConfigLoader loader = new ConfigLoader(new Environment(Map.of(), 0), Path.of("/nonexistent/plight.conf"));

    Path write(String text) throws Exception {
        return Confs.write(dir.resolve("plight.conf"), text);
    }

    Config load(String text) throws Exception {
        return loader.loadFile(write(text));
    }

    /** Loads {@code text}, expects a refusal at {@code line} whose message contains every one of {@code words}. */
    ConfigException refused(String text, int line, String... words) throws Exception {
        Path file = write(text);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertEquals(file, e.file());
        assertEquals(line, e.line(), e.getMessage());
        String prefix = file + (line > 0 ? ":" + line : "") + ": ";
        assertTrue(e.getMessage().startsWith(prefix), () -> "'" + e.getMessage() + "' should start with '" + prefix + "'");
        assertEquals(prefix + e.problem(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        for (String w : words) {
            assertTrue(e.problem().contains(w), () -> "'" + e.problem() + "' should mention '" + w + "'");
        }
        return e;
    }
}
