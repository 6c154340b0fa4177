package plight.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import plight.testkit.Texts;

/**
 * HAProxy's {@code X-Haproxy-Server-State} parser ({@link LbView}), fuzzed (RELIABILITY.md, "Fuzzing"): the value
 * comes from whoever can connect to the probe port. Replays {@code SendStateFuzzTestInputs/} in {@code mvn verify}.
 */
class SendStateFuzzTest {
    /**
     * Any header value (read as ISO-8859-1, as the probe decoder hands it over) is a view or {@code null}, never an
     * exception; a view's words fit one word of a {@code stats} reply line and come back equal from it.
     */
    @FuzzTest(maxDuration = "3m")
    void anyHeaderValueIsAViewThatSurvivesTheStatsReplyOrNothing(FuzzedDataProvider data) {
        String header = new String(data.consumeRemainingAsBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        LbView view = LbView.parse(header);
        if (view == null) {
            return;
        }
        for (String word : new String[] {view.state(), view.checks(), view.name(), view.node(), view.weight(), view.scur(),
            view.throttle()}) {
            if (word != null) {
                assertTrue(!word.isEmpty() && word.length() <= 256 && word.indexOf(' ') < 0 && word.indexOf('=') < 0
                        && Texts.printable(word), word);
            }
        }
        view.settledOn(200);
        view.settledOn(404);
        view.sessions();
        SourceLine line = new SourceLine("10.0.0.1", Instant.EPOCH, 2000L, "enabled", 3L, 9L, "haproxy", view);
        String rendered = line.render();
        assertTrue(Texts.oneLine(rendered), rendered);
        assertEquals(line, SourceLine.parse(rendered), rendered);
    }
}
