package plight.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** HAProxy's {@code X-Haproxy-Server-State} in every form it sends (src/check.c, 1.5 to 3.x), and garbage. */
class LbViewTest {
    @Test
    void settledStateWithAddressAndPort() {
        LbView v = LbView.parse("UP; address=10.0.0.7; port=80; name=be_http/app; node=lb1; weight=1/2; scur=3/10; qcur=0");
        assertEquals(new LbView("UP", null, "be_http/app", "lb1", "1/2", "3/10", null), v);
        assertEquals(3, v.sessions());
        assertEquals("UP", v.describe());
    }

    @Test
    void withoutAddressAndPortAsOlderHaproxySendsIt() {
        assertEquals(new LbView("NOLB", null, "be/srv", "lb-2", "0/1", "0/0", null),
                LbView.parse("NOLB; name=be/srv; node=lb-2; weight=0/1; scur=0/0; qcur=0"));
    }

    @Test
    void transitionCountsAreKeptAndNeverSettled() {
        for (String s : new String[] {"UP 2/3", "DOWN 1/2", "NOLB 1/3"}) {
            LbView v = LbView.parse(s + "; name=be/srv; node=lb1; weight=1/1; scur=0/0; qcur=0");
            assertEquals(s, v.describe());
            assertFalse(v.settledOn(200) || v.settledOn(404) || v.settledOn(503), s);
        }
    }

    @Test
    void throttleDuringSlowStart() {
        LbView v = LbView.parse("UP; address=::1; port=8080; name=be/srv; node=lb1; weight=1/1; scur=0/0; qcur=0; throttle=25%");
        assertEquals("25%", v.throttle());
    }

    @Test
    void settledViewsMatchTheCodesAnswer() {
        assertTrue(LbView.parse("UP").settledOn(200));
        assertTrue(LbView.parse("UP").settledOn(204));
        assertTrue(LbView.parse("NOLB").settledOn(404));
        assertTrue(LbView.parse("DOWN").settledOn(404));
        assertTrue(LbView.parse("DOWN").settledOn(503));
        assertFalse(LbView.parse("NOLB").settledOn(503));
        assertFalse(LbView.parse("UP").settledOn(404));
        assertFalse(LbView.parse("MAINT").settledOn(200));
    }

    @Test
    void garbageIsIgnored() {
        for (String s : new String[] {"", " ", "up", "no check", "UP 2/x", "UP 2/3 4/5", "OK; name=x", ";;;", "UP\u0000",
                "x".repeat(2000), "UP;" + "a".repeat(LbView.MAX_LENGTH)}) {
            assertNull(LbView.parse(s), s);
        }
        assertNull(LbView.parse(null));
    }

    @Test
    void garbageFieldsAreDroppedButTheStateKept() {
        LbView v = LbView.parse("DOWN; name=has space; node=; weight=lots; scur=-1; qcur=x; junk; =3; throttle=fast");
        assertEquals(new LbView("DOWN", null, null, null, null, null, null), v);
        assertEquals(-1, v.sessions());
    }
}
