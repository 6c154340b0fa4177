package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalsTest {
    @Test
    void refusalsAreLoggedAtOnceThenAtMostOnceAMinuteWithTheirCount() {
        AtomicLong clock = new AtomicLong(1_000_000);
        List<String> lines = new ArrayList<>();
        Refusals refusals = new Refusals("connections over max_connections = 4 (closed at once)", clock::get, lines::add);
        refusals.refused();
        for (int i = 0; i < 5; i++) {
            refusals.refused();
        }
        assertEquals(1, lines.size());
        clock.addAndGet(Refusals.INTERVAL_MILLIS);
        refusals.refused();
        assertEquals(List.of(
                "probe port: refused 1 connections over max_connections = 4 (closed at once); this is reported at most once a minute",
                "probe port: refused 6 connections over max_connections = 4 (closed at once); this is reported at most once a minute"),
                lines);
    }
}
