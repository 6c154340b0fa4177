package plight.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@code stats}/{@code wait} source line: what the daemon renders, the CLI reads back unchanged. */
class SourceLineTest {
    private static final SourceLine SEEN = new SourceLine("10.0.0.7", Instant.parse("2024-05-01T10:00:00.120Z"), 2000L, "disabled", 3L, 41L);

    @Test
    void rendersTheAddressThenKeyValueWords() {
        assertEquals("10.0.0.7 last=2024-05-01T10:00:00.120Z interval_ms=2000 state=disabled streak=3 probes=41", SEEN.render());
    }

    @Test
    void parsesWhatItRenders() {
        assertEquals(SEEN, SourceLine.parse(SEEN.render()));
        SourceLine onWholeSecond = new SourceLine("::1", Instant.parse("2024-05-01T10:00:00Z"), 0L, "enabled", 1L, 1L);
        assertEquals(onWholeSecond.render(), SourceLine.parse(onWholeSecond.render()).render());
    }

    @Test
    void missingOrUnreadableFieldsAreNullAndUnknownOnesIgnored() {
        SourceLine s = SourceLine.parse("10.0.0.7 last=yesterday interval_ms=+5 streak= probes=-2 colour=blue state=a state=b");
        assertEquals("10.0.0.7", s.address());
        assertNull(s.lastSeen());
        assertNull(s.intervalMillis());
        assertNull(s.streak());
        assertEquals(-2L, s.probes());
        assertEquals("b", s.state());
        assertEquals(new SourceLine("10.0.0.7", null, null, null, null, null), SourceLine.parse("10.0.0.7"));
    }

    @Test
    void carriesTheProbersKindAndTheLoadBalancersView() {
        SourceLine s = new SourceLine("10.0.0.8", Instant.parse("2024-05-01T10:00:00.120Z"), 100L, "disabled", 2L, 9L, "haproxy",
                LbView.parse("NOLB 1/3; name=be/app; node=lb1; weight=0/1; scur=0/4; qcur=0"));
        assertEquals("10.0.0.8 last=2024-05-01T10:00:00.120Z interval_ms=100 state=disabled streak=2 probes=9 kind=haproxy"
                + " lb=NOLB lb_checks=1/3 lb_name=be/app lb_node=lb1 lb_weight=0/1 lb_scur=0/4", s.render());
        assertEquals(s, SourceLine.parse(s.render()));
        assertEquals("10.0.0.8 (haproxy be/app on lb1)", s.who());
    }
}
