package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import plight.testkit.Texts;

/**
 * Marker files, fuzzed (RELIABILITY.md, "Fuzzing"): anyone who can write the state directory writes them, and
 * their {@code by} and {@code reason} reach {@code status}, the control protocol's reply lines and the log.
 */
class MarkerFuzzTest {
    /** Any content parses, to fields of one printable line each, and formats to content that parses back equal. */
    @FuzzTest(maxDuration = "3m")
    void anyContentParsesToOneLineFieldsThatRoundTrip(FuzzedDataProvider data) {
        Marker m = Marker.parse(new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8));
        assertTrue(m.by() == null || Texts.printable(m.by()), m::by);
        assertTrue(m.reason() == null || Texts.printable(m.reason()), m::reason);
        assertEquals(m, Marker.parse(m.format()), m::format);
    }

    /** Whatever a caller asks to record, the file holds each field on one line and gives it back as written, but for control characters. */
    @FuzzTest(maxDuration = "3m")
    void anyRecordedFieldsComeBackOnOneLineEach(FuzzedDataProvider data) {
        String by = data.consumeString(200);
        String reason = data.consumeRemainingAsString();
        Marker written = new Marker(null, by, reason, null);
        Marker read = Marker.parse(written.format());
        assertTrue(read.by() == null || Texts.printable(read.by()), read::by);
        assertTrue(read.reason() == null || Texts.printable(read.reason()), read::reason);
        assertEquals(read, Marker.parse(read.format()));
    }
}
