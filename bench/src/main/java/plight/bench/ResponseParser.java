package plight.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Incremental HTTP/1.x response parser for the load generator.
 *
 * <p>It extracts only what the benchmark needs: the status code, the {@code X-Plight-State} value and whether
 * the server will close the connection, and it skips the body ({@code Content-Length}, chunked, or until the
 * connection closes). Input may arrive in any split: a response spread over many reads, several responses
 * in one read, a header line cut anywhere. One instance per connection; not thread-safe. Steady state
 * allocates nothing: header lines are copied into a reused array and state names are interned.
 */
final class ResponseParser {

    /** Receives each complete response, in order. */
    interface Listener {
        /**
         * @param status the status code (100–599; interim 1xx responses are skipped, not reported)
         * @param state  the {@code X-Plight-State} header value, or {@code null} when absent
         * @param close  the server will close the connection after this response
         */
        void onResponse(int status, String state, boolean close);
    }

    static final int MAX_LINE = 16 * 1024;

    /** Where in a response the parser is. */
    private enum Phase { STATUS_LINE, HEADER_LINE, BODY_FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER_LINE, BODY_UNTIL_CLOSE }

    /** The header fields this parser reads; every other one is skipped. */
    private enum Field {
        CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, X_PLIGHT_STATE;

        /** The field name in lower case, as in {@code content-length}. */
        final byte[] lowerName = ascii(name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    private static final Field[] FIELDS = Field.values();
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");
    private static final byte[] CHUNKED = ascii("chunked");

    private final StateNames names = new StateNames();
    private byte[] line = new byte[256];
    private int lineLength;

    private Phase phase = Phase.STATUS_LINE;
    private final Message message = new Message();
    private long remaining;
    /** The responses fed are to HEAD requests: headers only, whatever Content-Length says (RFC 9110 §9.3.2). */
    private boolean head;

    /**
     * Consumes all readable bytes of {@code in} (advancing its reader index) and reports every response
     * completed by them.
     *
     * @return the number of responses completed
     * @throws HttpParseException when the input is not a well-formed response; the parser is then unusable
     *                            until {@link #reset()}
     */
    int feed(ByteBuf in, Listener listener) {
        int completed = 0;
        while (in.isReadable()) {
            switch (phase) {
                case BODY_FIXED, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        if (phase == Phase.BODY_FIXED) {
                            complete(listener);
                            completed++;
                        } else {
                            phase = Phase.CHUNK_END;
                        }
                    }
                }
                case BODY_UNTIL_CLOSE -> in.skipBytes(in.readableBytes());
                default -> {
                    if (!readLine(in)) {
                        return completed;
                    }
                    if (onLine(listener)) {
                        completed++;
                    }
                }
            }
        }
        return completed;
    }

    /**
     * The connection was closed by the peer. A response whose body runs until the close is complete now.
     *
     * @return {@code true} when that completed a response (reported to {@code listener})
     */
    boolean endOfInput(Listener listener) {
        if (phase == Phase.BODY_UNTIL_CLOSE) {
            complete(listener);
            return true;
        }
        return false;
    }

    /** Nothing of a next response has been received yet. */
    boolean idle() {
        return phase == Phase.STATUS_LINE && lineLength == 0;
    }

    /** From now on, responses are to HEAD requests ({@code true}) or not. */
    void head(boolean headRequests) {
        head = headRequests;
    }

    /** Forgets any partial response (for a new connection). */
    void reset() {
        phase = Phase.STATUS_LINE;
        lineLength = 0;
        resetMessage();
    }

    private void resetMessage() {
        message.clear();
        remaining = 0;
    }

    /** Appends bytes up to and including LF to {@link #line}; {@code true} when a whole line is there. */
    private boolean readLine(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int lf = in.indexOf(start, end, (byte) '\n');
        int take = (lf < 0 ? end : lf) - start;
        if (lineLength + take > MAX_LINE) {
            throw new HttpParseException("line longer than " + MAX_LINE + " bytes");
        }
        if (lineLength + take > line.length) {
            byte[] bigger = new byte[Math.min(MAX_LINE, Math.max(line.length * 2, lineLength + take))];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        in.getBytes(start, line, lineLength, take);
        lineLength += take;
        if (lf < 0) {
            in.readerIndex(end);
            return false;
        }
        in.readerIndex(lf + 1);
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return true;
    }

    /** Handles the line in {@link #line}; {@code true} when it completed a response. */
    private boolean onLine(Listener listener) {
        int length = lineLength;
        lineLength = 0;
        switch (phase) {
            case STATUS_LINE -> {
                if (length == 0) {
                    return false; // tolerate stray CRLF between responses (RFC 9112 §2.2)
                }
                parseStatusLine(length);
                phase = Phase.HEADER_LINE;
                return false;
            }
            case HEADER_LINE -> {
                if (length == 0) {
                    return endOfHeaders(listener);
                }
                parseHeader(length);
                return false;
            }
            case CHUNK_SIZE -> {
                long size = parseChunkSize(length);
                if (size == 0) {
                    phase = Phase.TRAILER_LINE;
                } else {
                    remaining = size;
                    phase = Phase.CHUNK_DATA;
                }
                return false;
            }
            case CHUNK_END -> {
                if (length != 0) {
                    throw new HttpParseException("missing CRLF after chunk data");
                }
                phase = Phase.CHUNK_SIZE;
                return false;
            }
            case TRAILER_LINE -> {
                if (length == 0) {
                    complete(listener);
                    return true;
                }
                return false;
            }
            default -> throw new IllegalStateException("phase " + phase);
        }
    }

    private void parseStatusLine(int length) {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (length < 12 || line[0] != 'H' || line[1] != 'T' || line[2] != 'T' || line[3] != 'P' || line[4] != '/'
                || line[5] != '1' || line[6] != '.' || (line[7] != '0' && line[7] != '1') || line[8] != ' '
                || (length > 12 && line[12] != ' ')) {
            throw new HttpParseException("bad status line: " + printable(0, length));
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            int d = line[i] - '0';
            if (d < 0 || d > 9) {
                throw new HttpParseException("bad status code: " + printable(0, length));
            }
            code = code * 10 + d;
        }
        if (code < 100 || code > 599) {
            throw new HttpParseException("status code out of range: " + code);
        }
        message.status = code;
        message.http10 = line[7] == '0';
    }

    private void parseHeader(int length) {
        if (line[0] == ' ' || line[0] == '\t') {
            return; // obsolete line folding: a continuation of a header we do not care about
        }
        int colon = -1;
        for (int i = 0; i < length; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            throw new HttpParseException("bad header line: " + printable(0, length));
        }
        int valueStart = colon + 1;
        int valueEnd = length;
        while (valueStart < valueEnd && isSpace(line[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && isSpace(line[valueEnd - 1])) {
            valueEnd--;
        }
        Field field = field(colon);
        if (field == null) {
            return;
        }
        switch (field) {
            case CONTENT_LENGTH -> {
                long value = parseContentLength(valueStart, valueEnd);
                if (message.contentLength >= 0 && message.contentLength != value) {
                    throw new HttpParseException("conflicting Content-Length headers");
                }
                message.contentLength = value;
            }
            case X_PLIGHT_STATE -> message.state = names.intern(line, valueStart, valueEnd - valueStart);
            case CONNECTION -> {
                message.close |= containsToken(valueStart, valueEnd, CLOSE);
                message.keepAlive |= containsToken(valueStart, valueEnd, KEEP_ALIVE);
            }
            case TRANSFER_ENCODING -> message.chunked = containsToken(valueStart, valueEnd, CHUNKED);
        }
    }

    /** The field the header line in {@link #line} names ({@code nameLength} bytes), or {@code null} for another. */
    private Field field(int nameLength) {
        for (Field f : FIELDS) {
            if (nameIs(nameLength, f.lowerName)) {
                return f;
            }
        }
        return null;
    }

    private boolean endOfHeaders(Listener listener) {
        if (message.status < 200) {
            // interim response (100 Continue, 103 Early Hints...): the real one follows
            resetMessage();
            phase = Phase.STATUS_LINE;
            return false;
        }
        if (message.http10 && !message.keepAlive) {
            message.close = true;
        }
        if (message.status == 204 || message.status == 304 || head) {
            complete(listener);
            return true;
        }
        if (message.chunked) {
            phase = Phase.CHUNK_SIZE;
            return false;
        }
        if (message.contentLength == 0) {
            complete(listener);
            return true;
        }
        if (message.contentLength > 0) {
            remaining = message.contentLength;
            phase = Phase.BODY_FIXED;
            return false;
        }
        message.close = true;
        phase = Phase.BODY_UNTIL_CLOSE;
        return false;
    }

    private void complete(Listener listener) {
        int s = message.status;
        String st = message.state;
        boolean c = message.close;
        resetMessage();
        phase = Phase.STATUS_LINE;
        listener.onResponse(s, st, c);
    }

    private long parseContentLength(int start, int end) {
        if (start == end || end - start > 18) {
            throw new HttpParseException("bad Content-Length: " + printable(start, end));
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            int d = line[i] - '0';
            if (d < 0 || d > 9) {
                throw new HttpParseException("bad Content-Length: " + printable(start, end));
            }
            value = value * 10 + d;
        }
        return value;
    }

    private long parseChunkSize(int length) {
        long size = 0;
        int digits = 0;
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            int d;
            if (b >= '0' && b <= '9') {
                d = b - '0';
            } else if (b >= 'a' && b <= 'f') {
                d = b - 'a' + 10;
            } else if (b >= 'A' && b <= 'F') {
                d = b - 'A' + 10;
            } else if (b == ';' || b == ' ' || b == '\t') {
                break; // chunk extensions
            } else {
                throw new HttpParseException("bad chunk size: " + printable(0, length));
            }
            if (++digits > 15) {
                throw new HttpParseException("chunk size too large");
            }
            size = (size << 4) | d;
        }
        if (digits == 0) {
            throw new HttpParseException("bad chunk size: " + printable(0, length));
        }
        return size;
    }

    private boolean nameIs(int nameLength, byte[] lowerName) {
        if (nameLength != lowerName.length) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            if (lower(line[i]) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list in line[start, end) holds {@code token}, case-insensitively. */
    private boolean containsToken(int start, int end, byte[] token) {
        int i = start;
        while (i < end) {
            while (i < end && (isSpace(line[i]) || line[i] == ',')) {
                i++;
            }
            int tokenStart = i;
            while (i < end && line[i] != ',') {
                i++;
            }
            int tokenEnd = i;
            while (tokenEnd > tokenStart && isSpace(line[tokenEnd - 1])) {
                tokenEnd--;
            }
            if (tokenEnd - tokenStart == token.length) {
                boolean same = true;
                for (int k = 0; k < token.length; k++) {
                    if (lower(line[tokenStart + k]) != token[k]) {
                        same = false;
                        break;
                    }
                }
                if (same) {
                    return true;
                }
            }
        }
        return false;
    }

    private String printable(int start, int end) {
        int n = Math.min(end - start, 80);
        StringBuilder sb = new StringBuilder(n + 2).append('"');
        for (int i = start; i < start + n; i++) {
            int c = line[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.append(end - start > n ? "...\"" : "\"").toString();
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** What the head of the response being read says; reused for every response on the connection. */
    private static final class Message {
        int status;
        boolean http10;
        String state;
        boolean close;
        boolean keepAlive;
        boolean chunked;
        long contentLength = -1;

        void clear() {
            status = 0;
            http10 = false;
            state = null;
            close = false;
            keepAlive = false;
            chunked = false;
            contentLength = -1;
        }
    }

    /** A tiny intern table so that each response does not allocate a String for its state name. */
    static final class StateNames {
        private static final int CAPACITY = 32;
        private final byte[][] keys = new byte[CAPACITY][];
        private final String[] values = new String[CAPACITY];
        private int size;

        String intern(byte[] bytes, int offset, int length) {
            for (int i = 0; i < size; i++) {
                byte[] k = keys[i];
                if (k.length == length && java.util.Arrays.equals(k, 0, length, bytes, offset, offset + length)) {
                    return values[i];
                }
            }
            String s = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
            if (size < CAPACITY) {
                keys[size] = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
                values[size] = s;
                size++;
            }
            return s;
        }
    }
}
