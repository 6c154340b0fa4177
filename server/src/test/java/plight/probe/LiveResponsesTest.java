package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import plight.state.State;

class LiveResponsesTest {
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2024-03-05T07:08:09.100Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private static String date(LiveResponses live) {
        String answer = live.current().probe(true, true, true).toString(StandardCharsets.US_ASCII);
        int at = answer.indexOf("Date: ");
        return answer.substring(at + 6, answer.indexOf('\r', at));
    }

    @Test
    void showPublishesTheNewStateBeforeReturning() {
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        live.show(TestStates.DISABLED);
        assertSame(TestStates.DISABLED, live.state());
        assertSame(TestStates.DISABLED, live.current().state());
    }

    @Test
    void tickRerendersOnlyWhenTheSecondChanges() {
        ManualClock clock = new ManualClock();
        LiveResponses live = new LiveResponses(TestStates.ENABLED, clock);
        ResponseTable before = live.current();
        clock.now = clock.now.plusMillis(800);
        live.tick();
        assertSame(before, live.current());
        clock.now = clock.now.plusMillis(200);
        live.tick();
        assertEquals("Tue, 05 Mar 2024 07:08:10 GMT", date(live));
        assertSame(TestStates.ENABLED, live.state());
    }

    @Test
    void servedCountsSurviveTicksAndStateChanges() {
        ManualClock clock = new ManualClock();
        LiveResponses live = new LiveResponses(TestStates.ENABLED, clock);
        live.current().countServed();
        clock.now = clock.now.plusSeconds(1);
        live.tick();
        live.current().countServed();
        live.show(TestStates.DISABLED);
        live.current().countServed();
        live.show(TestStates.ENABLED);
        live.current().countServed();
        assertEquals(Map.of("enabled", 3L, "disabled", 1L), live.served());
    }

    @Test
    void aStateThatCannotBeRenderedLeavesTheOldOneServed() {
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        State bad = new State("bad", null, 200, "OK", "x", "down", Map.of("X", "a\nb"), 0);
        assertThrows(IllegalArgumentException.class, () -> live.show(bad));
        assertSame(TestStates.ENABLED, live.state());
        assertEquals(java.util.Set.of("enabled"), live.served().keySet());
    }
}
