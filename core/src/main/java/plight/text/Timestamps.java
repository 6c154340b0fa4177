package plight.text;

import java.time.Instant;
import java.time.ZoneId;

/**
 * The few fixed timestamp formats plight writes, rendered by hand: {@code DateTimeFormatter} with month and day
 * names pulls in the locale providers and CLDR data (~100 classes, resident for the daemon's life) for text that
 * is always English. Each method gives exactly what the {@code DateTimeFormatter} pattern in its comment gives for
 * years 0 to 9999.
 */
public final class Timestamps {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private Timestamps() {
    }

    /** {@code EEE, dd MMM yyyy HH:mm:ss 'GMT'} in UTC, Locale.US: HTTP's Date header (RFC 9110's IMF-fixdate). */
    public static String httpDate(long epochSecond) {
        long days = Math.floorDiv(epochSecond, 86_400);
        int secs = (int) Math.floorMod(epochSecond, 86_400);
        long ymd = civil(days);
        StringBuilder sb = new StringBuilder(29);
        sb.append(DAYS[(int) Math.floorMod(days + 3, 7)]).append(", "); // 1970-01-01 was a Thursday
        two(sb, day(ymd)).append(' ').append(MONTHS[month(ymd) - 1]).append(' ');
        four(sb, year(ymd)).append(' ');
        return time(sb, secs).append(" GMT").toString();
    }

    /** {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'} in UTC: the {@code ts} of JSON log lines. */
    public static String isoUtcMillis(long epochMilli) {
        return dateTime(new StringBuilder(24), epochMilli, 0, 'T').append('Z').toString();
    }

    /** {@code yyyy-MM-dd HH:mm:ss.SSS} in {@code zone}: the text log line's time. */
    public static String localMillis(long epochMilli, ZoneId zone) {
        return dateTime(new StringBuilder(23), epochMilli, offset(zone, epochMilli), ' ').toString();
    }

    /** {@code dd/MMM/yyyy HH:mm:ss} in {@code zone}, Locale.US: the access log's time, as Python's http.server wrote it. */
    public static String clf(long epochSecond, ZoneId zone) {
        long local = epochSecond + offset(zone, epochSecond * 1000);
        long ymd = civil(Math.floorDiv(local, 86_400));
        StringBuilder sb = new StringBuilder(20);
        two(sb, day(ymd)).append('/').append(MONTHS[month(ymd) - 1]).append('/');
        four(sb, year(ymd)).append(' ');
        return time(sb, (int) Math.floorMod(local, 86_400)).toString();
    }

    private static int offset(ZoneId zone, long epochMilli) {
        return zone.getRules().getOffset(Instant.ofEpochMilli(epochMilli)).getTotalSeconds();
    }

    private static StringBuilder dateTime(StringBuilder sb, long epochMilli, int offsetSeconds, char separator) {
        long local = Math.floorDiv(epochMilli, 1000) + offsetSeconds;
        long ymd = civil(Math.floorDiv(local, 86_400));
        four(sb, year(ymd)).append('-');
        two(sb, month(ymd)).append('-');
        two(sb, day(ymd)).append(separator);
        time(sb, (int) Math.floorMod(local, 86_400)).append('.');
        int millis = (int) Math.floorMod(epochMilli, 1000);
        return sb.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10));
    }

    private static StringBuilder time(StringBuilder sb, int secondOfDay) {
        two(sb, secondOfDay / 3600).append(':');
        two(sb, secondOfDay / 60 % 60).append(':');
        return two(sb, secondOfDay % 60);
    }

    private static StringBuilder two(StringBuilder sb, int n) {
        return sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    private static StringBuilder four(StringBuilder sb, int n) {
        return two(two(sb, n / 100), n % 100);
    }

    /**
     * Days since 1970-01-01 to year, month and day (packed as year * 10000 + month * 100 + day): Howard Hinnant's
     * {@code civil_from_days}, for the proleptic Gregorian calendar as java.time uses it.
     */
    static long civil(long days) {
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        return y * 10_000 + m * 100 + d;
    }

    private static int year(long ymd) {
        return (int) (ymd / 10_000);
    }

    private static int month(long ymd) {
        return (int) (ymd / 100 % 100);
    }

    private static int day(long ymd) {
        return (int) (ymd % 100);
    }
}
