package plight.control;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Bytes in, complete lines out: collects what a socket delivers in arbitrary pieces and hands out each line
 * ending in {@code \n} (without it), decoded as UTF-8. A line still waiting for its newline may hold at most
 * {@code maxLine} bytes, so that a peer that never sends one cannot make it grow without bound.
 */
public final class LineBuffer {
    private final int maxLine;
    private byte[] buf = new byte[512];
    /** The bytes not handed out yet are {@code buf[start, end)}. */
    private int start;
    private int end;
    /** {@code buf[start, scanned)} holds no newline: a poll need not look there again. */
    private int scanned;
    /** Just after the last newline added, or {@code start}: where the line still incomplete begins. */
    private int open;

    public LineBuffer(int maxLine) {
        if (maxLine < 1) throw new IllegalArgumentException("maxLine must be at least 1, not " + maxLine);
        this.maxLine = maxLine;
    }

    /**
     * Adds what was read.
     *
     * @throws IllegalArgumentException when the line that has no newline yet is now longer than {@code maxLine}
     */
    public void add(byte[] bytes, int off, int len) {
        Objects.checkFromIndexSize(off, len, bytes.length);
        makeRoom(len);
        System.arraycopy(bytes, off, buf, end, len);
        for (int i = end + len - 1; i >= end; i--) {
            if (buf[i] == '\n') {
                open = i + 1;
                break;
            }
        }
        end += len;
        if (end - Math.max(open, start) > maxLine) {
            throw new IllegalArgumentException("a line longer than " + maxLine + " bytes");
        }
    }

    /** The next complete line without its newline, or {@code null} while there is none. */
    public String poll() {
        for (int i = scanned; i < end; i++) {
            if (buf[i] == '\n') {
                String line = new String(buf, start, i - start, StandardCharsets.UTF_8);
                start = i + 1;
                scanned = start;
                return line;
            }
        }
        scanned = end;
        return null;
    }

    /** Whether nothing at all is held: no line, not even part of one. */
    public boolean isEmpty() {
        return start == end;
    }

    /** What is held and not handed out: complete lines not polled yet and the start of an incomplete one. */
    public byte[] rest() {
        return Arrays.copyOfRange(buf, start, end);
    }

    private void makeRoom(int len) {
        if (end + len <= buf.length) return;
        int held = end - start;
        byte[] to = held + len <= buf.length ? buf : new byte[Math.max(2 * buf.length, held + len)];
        System.arraycopy(buf, start, to, 0, held);
        buf = to;
        scanned -= start;
        open = Math.max(open - start, 0);
        end = held;
        start = 0;
    }
}
