package plight.probe;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Reads HTTP/1.x request heads from a connection's bytes in place. A probe's answer depends only on the
 * method, the version, the {@code Connection} tokens and whether the request carries a body, so that is all
 * this extracts; nothing is copied or turned into strings.
 *
 * <p>Incremental: when a head is incomplete, the lines already checked are not checked again and the search
 * for the next line ending resumes where it stopped, so a head dribbled in byte by byte costs linear time.
 * Progress is kept as offsets from the request's first byte (the buffer's reader index), which survive the
 * caller compacting or replacing its buffer between calls. One instance per connection.
 */
final class RequestDecoder {
    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEADER_SECTION = 16 * 1024;

    enum Result { INCOMPLETE, REQUEST, FAILURE }

    enum Method { GET, HEAD, OPTIONS }

    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte[] GET = ascii("GET");
    private static final byte[] HEAD = ascii("HEAD");
    private static final byte[] OPTIONS = ascii("OPTIONS");
    private static final byte[] HTTP_ = ascii("HTTP/");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] USER_AGENT = ascii("user-agent");
    private static final byte[] SERVER_STATE = ascii("x-haproxy-server-state");
    private static final byte[] UPGRADE = ascii("upgrade");
    private static final byte[] HTTP2_SETTINGS = ascii("http2-settings");
    private static final byte[] H2C = ascii("h2c");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    /** RFC 9110 5.6.2 token characters. */
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private static final ByteProcessor WHILE_TCHAR = b -> TCHAR[b & 0xff];
    /** Request-target bytes: anything visible, obs-text included (clients send raw UTF-8 in paths). */
    private static final ByteProcessor WHILE_TARGET = b -> (b & 0xff) > 0x20 && b != 0x7f;
    /** RFC 9110 5.5: NUL and CR never belong in a field value (LF cannot be there: it ends the line). */
    private static final ByteProcessor WHILE_FIELD_VALUE = b -> b != 0 && b != CR;

    // Progress through the current head, as offsets from its first byte.
    private boolean inHeaders;
    /** Where the search for the next line ending resumes. */
    private int scanned;
    /** Start of the first header line not yet checked. */
    private int lineStart;
    /** Start of the header section, for its size limit. */
    private int headerStart;

    // What the current request says.
    private Method method;
    private boolean http11 = true;
    /** The request line has no version: an HTTP/0.9 request, complete without headers. */
    private boolean http09;
    private boolean close;
    private boolean keepAlive;
    private Failure failure;
    private int requestLineIndex;
    private int requestLineLength;
    // Where the prober's User-Agent and HAProxy's send-state header are, as offsets from the request's first
    // byte; -1 when absent. Only located here: they are read as text by whoever needs them, and only when present.
    private int userAgentAt = -1;
    private int userAgentEnd;
    private int serverStateAt = -1;
    private int serverStateEnd;
    /** {@code Upgrade} names {@code h2c}; with {@link #http2SettingsAt} the request asks for HTTP/2 (RFC 7540 3.2). */
    private boolean upgradeH2c;
    private int http2SettingsAt = -1;
    private int http2SettingsEnd;
    /** More than one {@code HTTP2-Settings} field: no upgrade (RFC 7540 3.2.1, "MUST NOT upgrade"). */
    private boolean http2SettingsTwice;

    /**
     * Decodes the head that starts at {@code in}'s reader index.
     *
     * @param eof the peer will send nothing more: an unterminated head is taken as complete, as the original
     *            answered {@code GET / HTTP/1.0\r\n} followed by end of input
     * @return {@code REQUEST} with the reader index moved past the head; {@code FAILURE} with
     *         {@link #failure()} set (the connection is done, the reader index is meaningless);
     *         {@code INCOMPLETE} when more bytes are needed (nothing is consumed but leading empty lines)
     */
    Result decode(ByteBuf in, boolean eof) {
        if (!inHeaders && scanned == 0) {
            skipEmptyLines(in);
        }
        // A request's line starts at the reader index until the request is complete.
        requestLineIndex = in.readerIndex();
        if (!inHeaders) {
            method = null;
            http11 = true;
            close = false;
            keepAlive = false;
            requestLineLength = 0;
            userAgentAt = -1;
            serverStateAt = -1;
            upgradeH2c = false;
            http2SettingsAt = -1;
            http2SettingsTwice = false;
            Result line = requestLine(in, eof);
            if (line != Result.REQUEST || !inHeaders) {
                return line;
            }
        }
        return headers(in, eof);
    }

    /**
     * {@code REQUEST} here means the line is accepted and the headers come next ({@link #inHeaders} set), or,
     * for a line without a version, that the request is complete.
     */
    private Result requestLine(ByteBuf in, boolean eof) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start == end) {
            return Result.INCOMPLETE;
        }
        int searchEnd = Math.min(end, start + MAX_REQUEST_LINE + 2);
        int lf = indexOfLf(in, start + scanned, searchEnd);
        int next;
        if (lf >= 0) {
            next = lf + 1;
        } else if (end - start >= MAX_REQUEST_LINE + 2) {
            return fail(Failure.URI_TOO_LONG);
        } else if (eof) {
            lf = end;
            next = end;
        } else if (!canStartRequestLine(in, start, Math.max(start, start + scanned - 1), end)) {
            // Not worth waiting for a line end that would only turn this into a 408 (a TLS handshake, bare CRs).
            return fail(Failure.BAD_REQUEST);
        } else {
            scanned = end - start;
            return Result.INCOMPLETE;
        }
        int lineEnd = withoutCr(in, start, lf);
        if (lineEnd - start > MAX_REQUEST_LINE) {
            return fail(Failure.URI_TOO_LONG);
        }
        requestLineLength = lineEnd - start;
        if (!parseRequestLine(in, start, lineEnd)) {
            return Result.FAILURE;
        }
        if (http09) {
            // HTTP/0.9 has no headers: the line is the whole request, and the connection ends with the answer.
            return complete(in, next);
        }
        inHeaders = true;
        headerStart = lineStart = scanned = next - start;
        return Result.REQUEST;
    }

    /**
     * Whether the bytes of an unfinished request line from {@code from} to {@code to} can still become one: it
     * starts with a token character, holds no control character but HTAB, and a CR only right before the LF.
     * {@code from} may repeat the last byte already checked (a CR then still needs its LF).
     */
    private static boolean canStartRequestLine(ByteBuf in, int lineStart, int from, int to) {
        if (!TCHAR[in.getByte(lineStart) & 0xff]) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b == CR) {
                if (i + 1 < to) {
                    return false; // followed by something other than LF: no LF was found
                }
            } else if ((b & 0xff) < 0x20 && b != '\t' || b == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9112 2.2: a server should ignore empty lines received before a request line. */
    private static void skipEmptyLines(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end) {
            byte b = in.getByte(i);
            if (b != CR && b != LF) {
                break;
            }
            i++;
        }
        in.readerIndex(i);
    }

    /**
     * {@code method SP request-target SP HTTP-version}, whitespace runs tolerated as the original did; or
     * {@code method SP request-target}, the HTTP/0.9 form (F5's default monitor sends {@code GET /}).
     */
    private boolean parseRequestLine(ByteBuf in, int start, int end) {
        http09 = false;
        int methodEnd = in.forEachByte(start, end - start, WHILE_TCHAR);
        if (methodEnd <= start || !isWhitespace(in.getByte(methodEnd))) {
            return failed(Failure.BAD_REQUEST);
        }
        int targetStart = skipWhitespace(in, methodEnd, end);
        if (targetStart == end) {
            return failed(Failure.BAD_REQUEST);
        }
        int targetEnd = in.forEachByte(targetStart, end - targetStart, WHILE_TARGET);
        if (targetEnd < 0) {
            targetEnd = end;
        } else if (!isWhitespace(in.getByte(targetEnd))) {
            return failed(Failure.BAD_REQUEST);
        }
        int versionStart = skipWhitespace(in, targetEnd, end);
        int versionEnd = end;
        while (versionEnd > versionStart && isWhitespace(in.getByte(versionEnd - 1))) {
            versionEnd--;
        }
        if (versionStart == versionEnd) {
            // Answered in HTTP/1.0 form, which every monitor that sends this form understands.
            http09 = true;
            http11 = false;
        } else {
            // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3)
            if (versionEnd - versionStart != HTTP_.length + 3 || !matches(in, versionStart, HTTP_)
                    || in.getByte(versionStart + HTTP_.length + 1) != '.') {
                return failed(Failure.BAD_REQUEST);
            }
            byte major = in.getByte(versionStart + HTTP_.length);
            byte minor = in.getByte(versionEnd - 1);
            if (major < '1' || major > '9' || minor < '0' || minor > '9') {
                return failed(Failure.BAD_REQUEST);
            }
            if (major != '1') {
                // HTTP/2 and later do not start with a request line; nginx answers 505 too.
                return failed(Failure.VERSION_NOT_SUPPORTED);
            }
            // RFC 9110 2.5: a later 1.x minor version is answered as the highest one we speak.
            http11 = minor != '0';
        }
        method = method(in, start, methodEnd - start);
        return method != null || failed(Failure.METHOD_NOT_ALLOWED);
    }

    private static Method method(ByteBuf in, int start, int length) {
        if (length == GET.length && matches(in, start, GET)) {
            return Method.GET;
        }
        if (length == HEAD.length && matches(in, start, HEAD)) {
            return Method.HEAD;
        }
        if (length == OPTIONS.length && matches(in, start, OPTIONS)) {
            return Method.OPTIONS;
        }
        return null;
    }

    private Result headers(ByteBuf in, boolean eof) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        // Room for the blank line after a section of exactly the maximum size.
        int sectionEnd = start + headerStart + MAX_HEADER_SECTION + 2;
        for (;;) {
            int lineBegin = start + lineStart;
            int lf = indexOfLf(in, start + Math.max(scanned, lineStart), Math.min(end, sectionEnd));
            int next;
            if (lf >= 0) {
                next = lf + 1;
            } else if (end >= sectionEnd) {
                return fail(Failure.HEADERS_TOO_LARGE);
            } else if (!eof) {
                scanned = end - start;
                return Result.INCOMPLETE;
            } else {
                lf = end;
                next = end;
            }
            int lineEnd = withoutCr(in, lineBegin, lf);
            if (lineEnd == lineBegin) {
                return complete(in, next);
            }
            if (next - (start + headerStart) > MAX_HEADER_SECTION) {
                return fail(Failure.HEADERS_TOO_LARGE);
            }
            if (!parseHeader(in, lineBegin, lineEnd)) {
                return Result.FAILURE;
            }
            lineStart = next - start;
        }
    }

    private Result complete(ByteBuf in, int next) {
        in.readerIndex(next);
        inHeaders = false;
        scanned = 0;
        keepAlive = http11 ? !close : keepAlive && !close;
        return Result.REQUEST;
    }

    /** Checks one field line and notes what matters to us; every other field is skipped unread. */
    private boolean parseHeader(ByteBuf in, int start, int end) {
        // Covers obsolete line folding too (RFC 9112 5.2 allows rejecting it): the name would start with SP.
        int colon = in.forEachByte(start, end - start, WHILE_TCHAR);
        if (colon <= start || in.getByte(colon) != ':') {
            return failed(Failure.BAD_REQUEST);
        }
        if (colon + 1 < end && in.forEachByte(colon + 1, end - colon - 1, WHILE_FIELD_VALUE) >= 0) {
            return failed(Failure.BAD_REQUEST);
        }
        int valueStart = skipWhitespace(in, colon + 1, end);
        int valueEnd = end;
        while (valueEnd > valueStart && isWhitespace(in.getByte(valueEnd - 1))) {
            valueEnd--;
        }
        int nameLength = colon - start;
        if (nameLength == CONNECTION.length && matchesIgnoreCase(in, start, end, CONNECTION)) {
            // A comma-separated token list, e.g. "keep-alive, Upgrade".
            int found = tokens(in, valueStart, valueEnd, CLOSE, KEEP_ALIVE);
            close |= (found & FIRST) != 0;
            keepAlive |= (found & SECOND) != 0;
        } else if (nameLength == CONTENT_LENGTH.length && matchesIgnoreCase(in, start, end, CONTENT_LENGTH)) {
            // A probe has no body; anything but zero is either a body or a malformed length.
            if (valueStart == valueEnd || !allZeros(in, valueStart, valueEnd)) {
                return failed(Failure.BAD_REQUEST);
            }
        } else if (nameLength == TRANSFER_ENCODING.length
                && matchesIgnoreCase(in, start, end, TRANSFER_ENCODING)) {
            return failed(Failure.BAD_REQUEST);
        } else if (nameLength == USER_AGENT.length && matchesIgnoreCase(in, start, end, USER_AGENT)) {
            userAgentAt = valueStart - requestLineIndex;
            userAgentEnd = valueEnd - requestLineIndex;
        } else if (nameLength == SERVER_STATE.length && matchesIgnoreCase(in, start, end, SERVER_STATE)) {
            serverStateAt = valueStart - requestLineIndex;
            serverStateEnd = valueEnd - requestLineIndex;
        } else if (nameLength == UPGRADE.length && matchesIgnoreCase(in, start, end, UPGRADE)) {
            upgradeH2c |= (tokens(in, valueStart, valueEnd, H2C, null) & FIRST) != 0;
        } else if (nameLength == HTTP2_SETTINGS.length && matchesIgnoreCase(in, start, end, HTTP2_SETTINGS)) {
            http2SettingsTwice |= http2SettingsAt >= 0;
            http2SettingsAt = valueStart - requestLineIndex;
            http2SettingsEnd = valueEnd - requestLineIndex;
        }
        return true;
    }

    private static final int FIRST = 1;
    private static final int SECOND = 2;

    /**
     * Which of {@code first} and {@code second} (any case; {@code second} may be null) the comma-separated list from
     * {@code start} to {@code end} holds, as {@link #FIRST} and {@link #SECOND} bits: one pass over the list.
     */
    private static int tokens(ByteBuf in, int start, int end, byte[] first, byte[] second) {
        int found = 0;
        int i = start;
        while (i < end) {
            int comma = in.indexOf(i, end, (byte) ',');
            int tokenEnd = comma < 0 ? end : comma;
            int tokenStart = skipWhitespace(in, i, tokenEnd);
            while (tokenEnd > tokenStart && isWhitespace(in.getByte(tokenEnd - 1))) {
                tokenEnd--;
            }
            int length = tokenEnd - tokenStart;
            if (length == first.length && matchesIgnoreCase(in, tokenStart, tokenEnd, first)) {
                found |= FIRST;
            } else if (second != null && length == second.length && matchesIgnoreCase(in, tokenStart, tokenEnd, second)) {
                found |= SECOND;
            }
            i = comma < 0 ? end : comma + 1;
        }
        return found;
    }

    private Result fail(Failure f) {
        failed(f);
        return Result.FAILURE;
    }

    private boolean failed(Failure f) {
        failure = f;
        return false;
    }

    /** The method of the request just returned; {@code null} after a failure. */
    Method method() {
        return method;
    }

    /**
     * Whether the request that starts at {@code in}'s reader index uses HEAD, even one refused before its line
     * was complete or valid: the answer to HEAD has no body (RFC 9110 9.3.2), an error's included.
     */
    static boolean isHead(ByteBuf in) {
        int i = in.readerIndex();
        return in.writerIndex() - i > HEAD.length && matches(in, i, HEAD) && isWhitespace(in.getByte(i + HEAD.length));
    }

    /** Whether to answer in HTTP/1.1; also true when the failure came before the version was read. */
    boolean http11() {
        return http11;
    }

    /** Whether the connection may stay open after the request just returned (RFC 9112 9.3). */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the request just returned carries a {@code User-Agent} or an {@code X-Haproxy-Server-State}. */
    boolean identifiesProber() {
        return userAgentAt >= 0 || serverStateAt >= 0;
    }

    /**
     * Whether the request just returned asks to continue in HTTP/2 ({@code Upgrade: h2c} with
     * {@code HTTP2-Settings}); only an HTTP/1.1 request that keeps the connection open can.
     */
    boolean upgradesToH2c() {
        return upgradeH2c && http2SettingsAt >= 0 && !http2SettingsTwice && http11 && keepAlive;
    }

    /** The request's {@code HTTP2-Settings} value, as {@link #userAgent}. */
    String http2Settings(ByteBuf in) {
        return text(in, http2SettingsAt, http2SettingsEnd);
    }

    /** The request's {@code User-Agent}, read from {@code in} (the buffer passed to decode, unchanged since); {@code null} if none. */
    String userAgent(ByteBuf in) {
        return text(in, userAgentAt, userAgentEnd);
    }

    /** The request's {@code X-Haproxy-Server-State} value, as {@link #userAgent}. */
    String serverState(ByteBuf in) {
        return text(in, serverStateAt, serverStateEnd);
    }

    private String text(ByteBuf in, int at, int end) {
        return at < 0 ? null : in.toString(requestLineIndex + at, end - at, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    Failure failure() {
        return failure;
    }

    /** Index of the last request line in the buffer passed to {@code decode}, valid until that buffer changes. */
    int requestLineIndex() {
        return requestLineIndex;
    }

    /** Length of the last request line without line ending; 0 when it was not received in full. */
    int requestLineLength() {
        return requestLineLength;
    }

    private static int indexOfLf(ByteBuf in, int from, int to) {
        return from < to ? in.indexOf(from, to, LF) : -1;
    }

    private static int withoutCr(ByteBuf in, int lineStart, int lf) {
        return lf > lineStart && in.getByte(lf - 1) == CR ? lf - 1 : lf;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static int skipWhitespace(ByteBuf in, int from, int end) {
        int i = from;
        while (i < end && isWhitespace(in.getByte(i))) {
            i++;
        }
        return i;
    }

    private static boolean matches(ByteBuf in, int at, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (in.getByte(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code lowerCase} holds only lower-case letters and '-', for which setting bit 0x20 folds case. */
    private static boolean matchesIgnoreCase(ByteBuf in, int at, int end, byte[] lowerCase) {
        if (end - at < lowerCase.length) {
            return false;
        }
        for (int i = 0; i < lowerCase.length; i++) {
            byte b = in.getByte(at + i);
            if ((b | 0x20) != lowerCase[i] || b == CR) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZeros(ByteBuf in, int start, int end) {
        for (int i = start; i < end; i++) {
            if (in.getByte(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
