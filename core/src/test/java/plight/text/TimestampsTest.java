package plight.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written formats against the DateTimeFormatter patterns they replace. */
class TimestampsTest {
    private static final DateTimeFormatter HTTP = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

    /** 1970 to 9999 (local times too): leap years, century years, the year 2000, month and year ends, DST changes. */
    private static long[] instants() {
        SplittableRandom random = new SplittableRandom(14);
        long max = Instant.parse("9999-12-30T23:59:59.999Z").toEpochMilli();
        long[] fixed = {0, 1, 999, 86_399_999, 86_400_000, Instant.parse("2000-02-29T12:00:00Z").toEpochMilli(),
                Instant.parse("2100-03-01T00:00:00Z").toEpochMilli(), Instant.parse("2024-12-31T23:59:59.999Z").toEpochMilli(),
                Instant.parse("2026-03-29T01:00:00Z").toEpochMilli(), Instant.parse("2026-10-25T00:59:59.999Z").toEpochMilli(),
                Instant.parse("2026-11-01T06:00:00Z").toEpochMilli(), max};
        long[] all = new long[fixed.length + 20_000];
        System.arraycopy(fixed, 0, all, 0, fixed.length);
        for (int i = fixed.length; i < all.length; i++) {
            all[i] = random.nextLong(max);
        }
        return all;
    }

    @Test
    void httpDatesAreTheImfFixdateOfTheSecond() {
        for (long ms : instants()) {
            long s = Math.floorDiv(ms, 1000);
            assertEquals(HTTP.format(Instant.ofEpochSecond(s)), Timestamps.httpDate(s));
        }
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", Timestamps.httpDate(0));
    }

    @Test
    void jsonTimestampsAreUtcWithMilliseconds() {
        for (long ms : instants()) {
            assertEquals(ISO.format(Instant.ofEpochMilli(ms)), Timestamps.isoUtcMillis(ms));
        }
    }

    @Test
    void textLogTimesAreLocalWithMilliseconds() {
        for (ZoneId zone : new ZoneId[] {ZoneOffset.UTC, BERLIN, NEW_YORK, KATHMANDU}) {
            DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(zone);
            for (long ms : instants()) {
                assertEquals(f.format(Instant.ofEpochMilli(ms)), Timestamps.localMillis(ms, zone), zone + " " + ms);
            }
        }
    }

    @Test
    void accessLogTimesAreLocalToTheSecond() {
        for (ZoneId zone : new ZoneId[] {ZoneOffset.UTC, BERLIN, NEW_YORK, KATHMANDU}) {
            DateTimeFormatter f = DateTimeFormatter.ofPattern("dd/MMM/yyyy HH:mm:ss", Locale.US).withZone(zone);
            for (long ms : instants()) {
                long s = Math.floorDiv(ms, 1000);
                assertEquals(f.format(Instant.ofEpochSecond(s)), Timestamps.clf(s, zone), zone + " " + s);
            }
        }
        assertEquals("05/Mar/2024 07:08:09", Timestamps.clf(Instant.parse("2024-03-05T07:08:09Z").getEpochSecond(), ZoneOffset.UTC));
    }
}
