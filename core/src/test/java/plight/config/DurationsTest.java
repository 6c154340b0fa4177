package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    // Expected values are ISO-8601 (PT1.5S), which JUnit converts to a Duration.
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"500ms, PT0.5S", "5s, PT5S", "10s, PT10S", "10m, PT10M", "2m, PT2M", "2h, PT2H", "1h, PT1H", "1d, P1D",
            "0s, PT0S"})
    void parsesEveryUnit(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"30, PT30S", "7, PT7S", "0, PT0S"})
    void bareNumberIsSeconds(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    /** plight-bench took decimals and the configuration did not: one grammar now takes them everywhere. */
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"1.5s, PT1.5S", "0.5h, PT30M", "1.5d, PT36H", "2.25, PT2.25S", "0.001s, PT0.001S", "7.000ms, PT0.007S"})
    void decimalsDownToWholeMilliseconds(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0001s", "1.5ms", "0.1ms", "1.0001s"})
    void refusesWhatIsFinerThanAMillisecond(String finer) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(finer), finer);
        assertTrue(e.getMessage().contains("'" + finer + "'") && e.getMessage().contains("millisecond"), e.getMessage());
    }

    /** The one bounds check of the configuration, the control protocol, the CLI and plight-bench. */
    @Test
    void positiveDurationsAreLongerThanZeroAndAtMostTheMaximum() {
        assertEquals(Duration.ofMinutes(90), Durations.parsePositive("--ttl", "1.5h"));
        assertEquals(Durations.MAX, Durations.parsePositive("--ttl", "36500d"));
        assertEquals("--ttl must be longer than 0",
                assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive("--ttl", "0.0s")).getMessage());
        assertEquals("'ttl' must be at most 36500d",
                assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive("'ttl'", "36501d")).getMessage());
        String bad = assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive("timeout", "soon")).getMessage();
        assertTrue(bad.startsWith("timeout: unparsable duration 'soon'") && bad.contains(Durations.GRAMMAR), bad);
        assertEquals(Duration.ZERO, Durations.parseAtMostMax("--warmup", "0"));
    }

    @ParameterizedTest(name = "''{0}'' = {1}")
    @CsvSource({"' 5 s ', PT5S", "1H, PT1H", "20MS, PT0.02S"})
    void toleratesSpacesAndCase(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : List.of("", " ", "5 parsecs", "parsecs", "-1s", "1e3", "1.s", ".5s", "1,5s", "s", "5sec", "5 m s", "1h30m",
                "99999999999999s", "10x", "1e3s", "ten")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), "'" + bad + "'");
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("e.g. 30s"), e.getMessage());
        }
    }

    /** The CLI sends a TTL to the daemon as {@link Durations#format} spells it: every one it accepts must parse there (a fuzz finding). */
    @Test
    void everyDurationUpToTheMaximumFormatsToTextThatParsesBack() {
        for (Duration d : new Duration[] {Durations.MAX, Durations.MAX.minusMillis(1), Durations.MAX.minusDays(1).plusMillis(1),
            Duration.ofMillis(1), Duration.ofDays(1).plusMillis(1)}) {
            assertEquals(d, Durations.parsePositive("ttl", Durations.format(d)), Durations.format(d));
        }
    }

    @Test
    void formatsTheShortestExactSpelling() {
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("5s", Durations.format(Duration.ofSeconds(5)));
        assertEquals("10s", Durations.format(Duration.ofSeconds(10)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("2m", Durations.format(Duration.ofSeconds(120)));
        assertEquals("61m", Durations.format(Duration.ofMinutes(61)));
        assertEquals("2h", Durations.format(Duration.ofHours(2)));
        assertEquals("25h", Durations.format(Duration.ofHours(25)));
        assertEquals("1d", Durations.format(Duration.ofDays(1)));
    }

    @Test
    void formatThenParseIsTheSameDuration() {
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(999), Duration.ofSeconds(1),
                Duration.ofSeconds(59), Duration.ofMinutes(90), Duration.ofHours(23), Duration.ofDays(400))) {
            assertEquals(d, Durations.parse(Durations.format(d)), d.toString());
        }
    }
}
