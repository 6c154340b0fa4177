package plight.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineBufferTest {
    private static void add(LineBuffer b, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        b.add(bytes, 0, bytes.length);
    }

    /** A buffer of at most {@code bound} bytes a line that has been given {@code text}. */
    private static LineBuffer holding(int bound, String text) {
        LineBuffer b = new LineBuffer(bound);
        add(b, text);
        return b;
    }

    @Test
    void handsOutEachCompleteLineWithoutItsNewline() {
        LineBuffer b = new LineBuffer(100);
        assertTrue(b.isEmpty());
        add(b, "PLIGHT 1\nOK\nstate=ena");
        assertEquals("PLIGHT 1", b.poll());
        assertEquals("OK", b.poll());
        assertNull(b.poll(), "no newline yet");
        assertFalse(b.isEmpty());
        add(b, "bled\n\n");
        assertEquals("state=enabled", b.poll());
        assertEquals("", b.poll());
        assertNull(b.poll());
        assertTrue(b.isEmpty());
    }

    @Test
    void aCharacterSplitAcrossReadsIsDecodedWhole() {
        LineBuffer b = new LineBuffer(100);
        byte[] bytes = "reason=caf\u00e9\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            b.add(bytes, i, 1);
        }
        assertEquals("reason=caf\u00e9", b.poll());
    }

    @Test
    void manySmallReadsOfLongLinesKeepEveryByte() {
        LineBuffer b = new LineBuffer(10_000);
        java.util.ArrayDeque<String> expected = new java.util.ArrayDeque<>();
        for (int line = 0; line < 50; line++) {
            String text = ("line " + line + " ").repeat(line * 7);
            expected.add(text);
            byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
            for (int off = 0; off < bytes.length; off += 13) {
                b.add(bytes, off, Math.min(13, bytes.length - off));
            }
            if (line % 3 == 0) {
                assertEquals(expected.poll(), b.poll());
            }
        }
        for (String l = b.poll(); l != null; l = b.poll()) {
            assertEquals(expected.poll(), l);
        }
        assertTrue(expected.isEmpty());
        assertTrue(b.isEmpty());
    }

    @Test
    void theRestIsWhatWasNotHandedOut() {
        LineBuffer b = holding(100, "one\ntw");
        assertEquals("one", b.poll());
        assertArrayEquals("tw".getBytes(StandardCharsets.US_ASCII), b.rest());
    }

    @Test
    void aLineLongerThanTheBoundIsRefused() {
        LineBuffer b = holding(8, "12345678\n12345678");
        assertEquals("12345678", b.poll());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> add(b, "9"));
        assertEquals("a line longer than 8 bytes", e.getMessage());
    }

    @Test
    void completeLinesDoNotCountAgainstTheBound() {
        LineBuffer b = holding(4, "abc\nabc\nabc\nabc\nab");
        assertEquals("abc", b.poll());
        assertArrayEquals("abc\nabc\nabc\nab".getBytes(StandardCharsets.US_ASCII), b.rest());
    }
}
