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

    @Test
    void toleratesSpacesAndCase() {
        assertEquals(Duration.ofSeconds(5), Durations.parse(" 5 s "));
        assertEquals(Duration.ofHours(1), Durations.parse("1H"));
        assertEquals(Duration.ofMillis(20), Durations.parse("20MS"));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : List.of("", " ", "5 parsecs", "parsecs", "-1s", "1.5s", "1e3", "s", "5sec", "5 m s", "1h30m",
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
