package plight.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesEveryUnit() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), Durations.parse("5s"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
        assertEquals(Duration.ofHours(2), Durations.parse("2h"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
    }

    @Test
    void bareNumberIsSeconds() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("30"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
    }

    /** plight-bench took decimals and the configuration did not: one grammar now takes them everywhere. */
    @Test
    void decimalsDownToWholeMilliseconds() {
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofMinutes(30), Durations.parse("0.5h"));
        assertEquals(Duration.ofHours(36), Durations.parse("1.5d"));
        assertEquals(Duration.ofMillis(2250), Durations.parse("2.25"));
        assertEquals(Duration.ofMillis(1), Durations.parse("0.001s"));
        assertEquals(Duration.ofMillis(7), Durations.parse("7.000ms"));
        for (String finer : List.of("0.0001s", "1.5ms", "0.1ms")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(finer), finer);
            assertTrue(e.getMessage().contains("'" + finer + "'") && e.getMessage().contains("millisecond"), e.getMessage());
        }
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

    @Test
    void toleratesSpacesAndCase() {
        assertEquals(Duration.ofSeconds(5), Durations.parse(" 5 s "));
        assertEquals(Duration.ofHours(1), Durations.parse("1H"));
        assertEquals(Duration.ofMillis(20), Durations.parse("20MS"));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : List.of("", " ", "5 parsecs", "parsecs", "-1s", "1e3", "1.s", ".5s", "1,5s", "s", "5sec", "5 m s", "1h30m",
                "9999999999999s")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), "'" + bad + "'");
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("e.g. 30s"), e.getMessage());
        }
    }

    @Test
    void formatsTheShortestExactSpelling() {
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("5s", Durations.format(Duration.ofSeconds(5)));
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
