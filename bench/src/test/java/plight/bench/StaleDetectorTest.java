package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StaleDetectorTest {

    @Test
    void nothingIsJudgedBeforeTheFirstAcknowledgedChange() {
        StaleDetector d = new StaleDetector();
        assertEquals(0, d.acknowledgedGeneration());
        int g = d.begin(100);
        assertEquals(0, d.acknowledgedGeneration(), "not acknowledged yet");
        assertFalse(d.isStale(0, "enabled", 150));
        d.acknowledge(g, "disabled");
        assertEquals(1, d.acknowledgedGeneration());
    }

    @Test
    void oldStateOnARequestSentAfterTheAcknowledgementIsStale() {
        StaleDetector d = new StaleDetector();
        d.acknowledge(d.begin(100), "disabled");
        int atSend = d.acknowledgedGeneration(); // request sent after the acknowledgement
        assertTrue(d.judged(atSend, 300));
        assertTrue(d.isStale(atSend, "enabled", 300), "shows the state from before the change");
        assertFalse(d.isStale(atSend, "disabled", 300), "shows the acknowledged state");
        assertTrue(d.isStale(atSend, null, 300), "shows no state at all");
    }

    @Test
    void oldStateOnARequestSentBeforeTheAcknowledgementIsNotStale() {
        StaleDetector d = new StaleDetector();
        int atSend = d.acknowledgedGeneration(); // request sent before any change
        int g = d.begin(100);
        d.acknowledge(g, "disabled");
        assertFalse(d.isStale(atSend, "enabled", 300));

        // the same one change later: sent after change 1 was acknowledged, while change 2 was in progress
        int atSend2 = d.acknowledgedGeneration();
        int g2 = d.begin(400);
        assertFalse(d.isStale(atSend2, "disabled", 450), "still the state of change 1: fine");
        d.acknowledge(g2, "enabled");
        assertFalse(d.isStale(atSend2, "disabled", 500), "sent before change 2 was acknowledged");
    }

    @Test
    void answersArrivingAfterALaterChangeStartedAreNotJudged() {
        StaleDetector d = new StaleDetector();
        d.acknowledge(d.begin(100), "disabled");
        int atSend = d.acknowledgedGeneration();
        d.begin(400); // change 2 requested, not yet acknowledged: either state may be visible now
        assertTrue(d.judged(atSend, 399));
        assertTrue(d.isStale(atSend, "enabled", 399), "received before change 2 started");
        assertFalse(d.judged(atSend, 400));
        assertFalse(d.isStale(atSend, "enabled", 401), "received after change 2 started");
    }

    @Test
    void aFailedChangeLeavesTheLastAcknowledgedStateInForceForLaterRequests() {
        StaleDetector d = new StaleDetector();
        d.acknowledge(d.begin(100), "disabled");
        d.begin(200); // fails: never acknowledged
        assertEquals(1, d.acknowledgedGeneration());
        int g3 = d.begin(300);
        d.acknowledge(g3, "enabled");
        int atSend = d.acknowledgedGeneration();
        assertEquals(3, atSend);
        assertTrue(d.isStale(atSend, "disabled", 350));
        assertFalse(d.isStale(atSend, "enabled", 350));
    }
}
