package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import plight.state.State;
import plight.testkit.RawHttp.Response;

/**
 * The probe port's HTTP/1 path (the {@link RequestDecoder} inside a {@link ProbeHandler}), fuzzed
 * (RELIABILITY.md, "Fuzzing"). {@code mvn verify} replays
 * {@code src/test/resources/plight/probe/RequestDecoderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 *
 * <p>The bytes enter through the whole pipeline of one connection, so when the protocol choice by the first bytes
 * (HTTP/2 preface, {@code Upgrade: h2c}) lands in front of the HTTP/1 decoder, this target covers it too; the
 * HTTP/2 and gRPC targets proper come with that work (RELIABILITY.md says so).
 */
class RequestDecoderFuzzTest {
    private static final LiveResponses LIVE = new LiveResponses(TestStates.ENABLED);
    private static final Set<Integer> ERRORS = Set.of(400, 405, 408, 414, 431, 505);
    /** The shortest request that gets an answer: {@code GET /} and a newline, or end of input. */
    private static final int SHORTEST_REQUEST = "GET /".length();

    /**
     * Any bytes, in any pieces, with or without the client's end of input: nothing is thrown out of the pipeline,
     * no buffer leaks, the connection ends once the time limits pass, and what is written is a sequence of
     * well-formed answers, at most one per request the input could hold, nothing after an error, the same
     * answers as when the same bytes arrive in one piece.
     */
    @FuzzTest(maxDuration = "3m")
    void anyBytesInAnyPiecesGetWellFormedAnswersAndTheConnectionEnds(FuzzedDataProvider data) throws IOException {
        boolean eof = data.consumeBoolean();
        int[] sizes = new int[data.consumeInt(0, 12)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = data.consumeInt(0, 300);
        }
        byte[] input = data.consumeRemainingAsBytes();
        List<String> inPieces = answers(input, sizes, eof);
        List<String> inOnePiece = answers(input, new int[0], eof);
        assertTrue(inPieces.size() <= input.length / SHORTEST_REQUEST + 1, inPieces.size() + " answers to " + input.length + " bytes");
        assertEquals(inOnePiece, inPieces);
    }

    /** Feeds {@code input} cut after each of {@code sizes}, the rest in one piece; returns a summary of each answer. */
    private static List<String> answers(byte[] input, int[] sizes, boolean eof) throws IOException {
        try (EmbeddedProbe probe = new EmbeddedProbe(LIVE, new CheckingListener(false), AccessLog.OFF)) {
            probe.feed(input, sizes);
            if (eof && probe.channel.isOpen()) {
                probe.endOfInput();
            }
            probe.advance(EmbeddedProbe.REQUEST_TIMEOUT.plusSeconds(1));
            probe.advance(EmbeddedProbe.IDLE_TIMEOUT.plusSeconds(1));
            assertFalse(probe.channel.isOpen(), "connection still open after every time limit");
            List<String> answers = new ArrayList<>();
            ByteArrayInputStream out = new ByteArrayInputStream(probe.output());
            while (out.available() > 0) {
                Response r = GarbageTest.readGuessingHead(out);
                String connection = r.header("Connection");
                answers.add(r.version() + " " + r.code() + " " + connection + " " + r.bodyText().length());
                if (ERRORS.contains(r.code())) {
                    assertEquals(0, out.available(), "answered after an error");
                    assertEquals("close", connection);
                } else {
                    assertEquals(200, r.code());
                    assertEquals("enabled", r.header("X-Plight-State"));
                }
            }
            return answers;
        }
    }

}
