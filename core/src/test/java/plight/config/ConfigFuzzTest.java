package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.Map;
import plight.state.State;
import plight.testkit.Texts;

/**
 * The INI reader and the config loader, fuzzed (RELIABILITY.md, "Fuzzing"). Replays
 * {@code src/test/resources/plight/config/ConfigFuzzTestInputs/} in {@code mvn verify}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ConfigFuzzTest {
    private static final Path FILE = Path.of("/etc/plight/plight.conf");
    private final ConfigLoader loader = new ConfigLoader(new Environment(Map.of(), 0), Path.of("/nonexistent/plight.conf"));

    /**
     * Any text is loaded or refused with a {@link ConfigException} naming the file and a line of it, in one line;
     * a loaded configuration puts no control character in anything that reaches a response or a log line.
     */
    @FuzzTest(maxDuration = "3m")
    void anyTextLoadsOrIsRefusedWithFileAndLine(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Config config;
        try {
            config = loader.parse(FILE, text);
        } catch (ConfigException e) {
            int lines = text.split("\r?\n", -1).length;
            assertTrue(e.line() >= 1 && e.line() <= lines, () -> "line " + e.line() + " of " + lines + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(FILE + ":" + e.line() + ": "), e::getMessage);
            assertTrue(Texts.oneLine(e.getMessage()), e::getMessage);
            return;
        }
        for (State s : config.states().states()) {
            assertTrue(Texts.printable(s.name()), s::name);
            assertTrue(Texts.printable(s.message()), s::message);
            assertTrue(Texts.printable(s.agentLine()), s::agentLine);
            assertTrue(s.code() >= 200 && s.code() <= 599);
            s.headers().forEach((name, value) -> {
                assertTrue(Texts.printable(name) && name.indexOf(':') < 0 && name.indexOf(' ') < 0, name);
                assertTrue(Texts.printable(value), value);
            });
            if (s.file() != null) {
                assertTrue(Texts.printable(s.file().toString()), s.file()::toString);
            }
        }
        config.web().hosts().forEach(h -> assertTrue(Texts.printable(h), h));
        assertTrue(config.control().group() == null || Texts.printable(config.control().group()));
        assertTrue(Texts.printable(config.control().socket().toString()));
        assertTrue(Texts.printable(config.pidFile().toString()));
        // The same text loads to the same configuration: nothing depends on anything but the text.
        try {
            assertEquals(config.states().states(), loader.parse(FILE, text).states().states());
        } catch (ConfigException e) {
            throw new AssertionError("loaded once, refused the second time: " + e.getMessage(), e);
        }
    }

    /** The INI reader alone: entries or a {@link ConfigException} with a line of the text, nothing else. */
    @FuzzTest(maxDuration = "3m")
    void iniReaderReadsOrRefusesWithALine(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            IniFile ini = IniFile.parse(FILE, text);
            int lines = text.split("\r?\n", -1).length;
            for (IniFile.Section s : ini.sections()) {
                assertTrue(s.line() >= 1 && s.line() <= lines);
                for (IniFile.Entry e : s.entries().values()) {
                    assertTrue(e.line() >= s.line() && e.line() <= lines);
                    assertTrue(Texts.oneLine(e.key()), e::key);
                }
            }
        } catch (ConfigException e) {
            assertTrue(e.line() >= 1, e::getMessage);
            assertTrue(Texts.oneLine(e.getMessage()), e::getMessage);
        }
    }
}
