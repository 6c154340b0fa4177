package plight.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import plight.testkit.Texts;

/**
 * The control protocol's parsing, fuzzed (RELIABILITY.md, "Fuzzing"). {@code mvn verify} replays the inputs under
 * {@code src/test/resources/plight/control/ControlRequestFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ControlRequestFuzzTest {
    /**
     * A request line is parsed or refused with {@link Request.BadRequest}, never another exception; what a refusal
     * says is echoed in an {@code ERR} line, so it holds no line break; what is accepted holds no control character
     * in the fields that reach the log and the marker file; a {@code set} renders back to an equal request.
     */
    @FuzzTest(maxDuration = "3m")
    void requestLinesAreParsedOrRefusedWithOneLineError(FuzzedDataProvider data) {
        String line = data.consumeRemainingAsString();
        Request request;
        try {
            request = Request.parse(line);
        } catch (Request.BadRequest e) {
            assertNotNull(e.getMessage());
            assertTrue(Texts.oneLine(e.getMessage()), () -> "refusal splits its line: " + e.getMessage());
            return;
        }
        if (request instanceof Request.Set set) {
            assertTrue(Texts.printable(set.state()), set::state);
            assertTrue(set.reason() == null || Texts.printable(set.reason()), set::reason);
            String rendered = "set " + set.state() + (set.ttl() == null ? "" : " ttl=" + plight.config.Durations.format(set.ttl()))
                    + (set.reason() == null ? "" : " reason=" + set.reason());
            try {
                assertEquals(set, Request.parse(rendered), rendered);
            } catch (Request.BadRequest e) {
                throw new AssertionError("'" + rendered + "' from '" + line + "' refused: " + e.getMessage(), e);
            }
        } else if (request instanceof Request.Wait wait) {
            assertTrue(Texts.printable(wait.state()), wait::state);
            assertTrue(wait.fall() >= 1 && wait.fall() <= 1000);
        }
    }

    /**
     * Bytes fed to a {@link LineBuffer} in any pieces come out as the lines the whole input holds, in order; the
     * only refusal is a line longer than the limit, and nothing held ever exceeds the limit plus what was polled.
     */
    @FuzzTest(maxDuration = "3m")
    void lineBufferHandsOutTheSameLinesWhateverTheReads(FuzzedDataProvider data) {
        int max = data.consumeInt(1, 300);
        List<byte[]> reads = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            reads.add(data.consumeBytes(data.consumeInt(0, 64)));
        }
        LineBuffer buffer = new LineBuffer(max);
        List<String> lines = new ArrayList<>();
        StringBuilderBytes all = new StringBuilderBytes();
        for (byte[] read : reads) {
            all.add(read);
            try {
                buffer.add(read, 0, read.length);
            } catch (IllegalArgumentException tooLong) {
                assertTrue(all.openLineLength() > max, "refused a line of " + all.openLineLength() + " bytes, limit " + max);
                return;
            }
            assertTrue(all.openLineLength() <= max, "kept an open line of " + all.openLineLength() + " bytes, limit " + max);
            for (String l = buffer.poll(); l != null; l = buffer.poll()) {
                lines.add(l);
            }
        }
        assertEquals(all.completeLines(), lines);
    }

    /** The whole input so far, to compute what the buffer should have said. */
    private static final class StringBuilderBytes {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        void add(byte[] b) {
            bytes.writeBytes(b);
        }

        int openLineLength() {
            byte[] b = bytes.toByteArray();
            int last = -1;
            for (int i = b.length - 1; i >= 0; i--) {
                if (b[i] == '\n') {
                    last = i;
                    break;
                }
            }
            return b.length - last - 1;
        }

        List<String> completeLines() {
            byte[] b = bytes.toByteArray();
            List<String> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n') {
                    lines.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return lines;
        }
    }
}
