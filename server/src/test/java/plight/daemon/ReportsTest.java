package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A lasting problem is logged at once, then at most once a minute per kind; after it clears, at once again. */
class ReportsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T08:45:00Z");
    private static final String DENIED = "cannot check x: permission denied";

    private final Reports reports = new Reports(Duration.ofMinutes(1));

    @Test
    void aLastingProblemIsReportedOnceThenOnceAnInterval() {
        assertTrue(reports.due(DENIED, T0));
        for (int s = 1; s < 60; s++) {
            assertFalse(reports.due(DENIED, T0.plusSeconds(s)), "second " + s);
        }
        assertTrue(reports.due(DENIED, T0.plusSeconds(60)));
        assertFalse(reports.due(DENIED, T0.plusSeconds(61)));
    }

    @Test
    void eachKindHasItsOwnInterval() {
        assertTrue(reports.due(DENIED, T0));
        assertTrue(reports.due("cannot check x: Input/output error", T0.plusSeconds(1)));
        assertFalse(reports.due(DENIED, T0.plusSeconds(2)));
    }

    @Test
    void aProblemThatComesBackAfterClearingIsReportedAtOnce() {
        assertTrue(reports.due(DENIED, T0));
        reports.clear();
        assertTrue(reports.due(DENIED, T0.plusSeconds(5)));
    }
}
