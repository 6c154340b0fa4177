package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkerTest {
    private static final Instant SINCE = Instant.parse("2026-05-06T07:08:09Z");
    private static final Instant EXPIRES = Instant.parse("2026-05-06T09:08:09Z");

    @Test
    void formatIsKeyValueLinesInAFixedOrder() {
        Marker m = new Marker(SINCE, "alice (uid 1000, pid 7)", "patching", EXPIRES);
        assertEquals("since=2026-05-06T07:08:09Z\nby=alice (uid 1000, pid 7)\nreason=patching\nexpires=2026-05-06T09:08:09Z\n", m.format());
        assertEquals("", Marker.EMPTY.format());
        assertEquals("reason=r\n", new Marker(null, null, "r", null).format());
    }

    @Test
    void formatThenParseRoundTrips() {
        for (Marker m : List.of(
                Marker.EMPTY,
                new Marker(SINCE, null, null, null),
                new Marker(null, "bob", null, null),
                new Marker(null, null, "a = b; c # d", null),
                new Marker(null, null, null, EXPIRES),
                new Marker(SINCE, "carol (uid 0, pid 1)", "nœud: maintenance ✓", EXPIRES),
                new Marker(Instant.parse("2026-05-06T07:08:09.123456789Z"), "x", "y", Instant.EPOCH))) {
            assertEquals(m, Marker.parse(m.format()), m.format());
        }
    }

    @Test
    void emptyFileIsNoMetadata() {
        assertEquals(Marker.EMPTY, Marker.parse(""));
        assertEquals(Marker.EMPTY, Marker.parse("\n\n"));
    }

    @Test
    void garbageIsIgnored() {
        assertEquals(Marker.EMPTY, Marker.parse("hello\n=value\n\u0000\ufffd\nsince=not a time\nexpires=tomorrow\nby=   \n"));
    }

    @Test
    void toleratesSpacesCrLfUnknownKeysAndOrder() {
        Marker m = Marker.parse("colour=blue\r\nreason = two words \r\n since=2026-05-06T07:08:09Z\r\nby=me\n");
        assertEquals(new Marker(SINCE, "me", "two words", null), m);
    }

    @Test
    void firstOccurrenceOfAKeyWins() {
        assertEquals("first", Marker.parse("reason=first\nreason=second\n").reason());
    }

    @Test
    void valuesMayContainEqualsSigns() {
        assertEquals("k=v", Marker.parse("reason=k=v\n").reason());
    }

    @Test
    void expiry() {
        Marker m = new Marker(null, null, null, EXPIRES);
        assertFalse(m.expiredAt(EXPIRES.minusMillis(1)));
        assertTrue(m.expiredAt(EXPIRES));
        assertTrue(m.expiredAt(EXPIRES.plusSeconds(1)));
        assertFalse(Marker.EMPTY.expiredAt(Instant.MAX));
    }
}
