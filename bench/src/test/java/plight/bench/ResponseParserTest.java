package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

    record Seen(int status, String state, boolean close) {
    }

    /** A parser and the responses it reported. */
    static final class Collector implements ResponseParser.Listener {
        final ResponseParser parser = new ResponseParser();
        final List<Seen> seen = new ArrayList<>();
        final List<String> stateInstances = new ArrayList<>();

        int feed(String input) {
            return parser.feed(buf(input), this);
        }

        boolean endOfInput() {
            return parser.endOfInput(this);
        }

        @Override
        public void onResponse(int status, String state, boolean close) {
            seen.add(new Seen(status, state, close));
            stateInstances.add(state);
        }
    }

    static final String PLIGHT_200 = "HTTP/1.1 200 OK\r\nServer: plight\r\nDate: Wed, 25 Nov 2026 08:00:00 GMT\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nCache-Control: no-store\r\n"
            + "X-Plight-State: enabled\r\n\r\nOK\n";
    static final String PLIGHT_404_CLOSE = "HTTP/1.1 404 node is unavailable\r\ncontent-length: 20\r\n"
            + "x-plight-state:disabled\r\nConnection: close\r\n\r\nnode is unavailable\n";
    static final String CHUNKED = "HTTP/1.1 503 node is offline\r\nTransfer-Encoding: chunked\r\n"
            + "X-PLIGHT-STATE: offline \r\n\r\n5;ext=1\r\nnode \r\na\r\nis offline\r\n0\r\nTrailer: x\r\n\r\n";
    static final String CONTINUE_THEN_204 = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n"
            + "X-Plight-State: enabled\r\n\r\n";
    static final String HTTP10 = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    static final String STREAM = PLIGHT_200 + PLIGHT_404_CLOSE + CHUNKED + CONTINUE_THEN_204 + HTTP10;
    static final List<Seen> EXPECTED = List.of(
            new Seen(200, "enabled", false),
            new Seen(404, "disabled", true),
            new Seen(503, "offline", false),
            new Seen(204, "enabled", false),
            new Seen(200, null, true));

    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Collector parseInPieces(String input, int... cuts) {
        Collector c = new Collector();
        int from = 0;
        for (int cut : cuts) {
            ByteBuf b = buf(input.substring(from, cut));
            c.parser.feed(b, c);
            assertFalse(b.isReadable(), "feed consumes everything");
            from = cut;
        }
        c.feed(input.substring(from));
        return c;
    }

    @Test
    void severalResponsesInOneRead() {
        Collector c = new Collector();
        assertEquals(5, c.feed(STREAM));
        assertEquals(EXPECTED, c.seen);
        assertTrue(c.parser.idle());
    }

    @Test
    void splitAtEveryPosition() {
        for (int cut = 1; cut < STREAM.length(); cut++) {
            assertEquals(EXPECTED, parseInPieces(STREAM, cut).seen, "split at " + cut);
        }
    }

    @Test
    void splitAtEveryPairOfPositionsOfOneResponse() {
        String two = PLIGHT_200 + PLIGHT_404_CLOSE;
        for (int i = 1; i < two.length(); i++) {
            for (int j = i; j < two.length(); j++) {
                assertEquals(EXPECTED.subList(0, 2), parseInPieces(two, i, j).seen, "split at " + i + ", " + j);
            }
        }
    }

    @Test
    void oneByteAtATime() {
        int[] cuts = new int[STREAM.length() - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertEquals(EXPECTED, parseInPieces(STREAM, cuts).seen);
    }

    @Test
    void bareLfLineEndingsAreAccepted() {
        Collector c = new Collector();
        c.feed("HTTP/1.1 200 OK\nContent-Length: 2\nX-Plight-State: enabled\n\nOK");
        assertEquals(List.of(new Seen(200, "enabled", false)), c.seen);
    }

    @Test
    void bodyUntilCloseCompletesAtEndOfInput() {
        Collector c = new Collector();
        c.feed("HTTP/1.1 200 OK\r\nX-Plight-State: enabled\r\n\r\nsome body");
        c.feed(" more");
        assertTrue(c.seen.isEmpty());
        assertTrue(c.endOfInput());
        assertEquals(List.of(new Seen(200, "enabled", true)), c.seen);
    }

    @Test
    void truncatedResponseIsNotCompletedByEndOfInput() {
        Collector c = new Collector();
        c.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        assertFalse(c.endOfInput());
        assertFalse(c.parser.idle());
        assertTrue(c.seen.isEmpty());
    }

    @Test
    void http10KeepAliveIsNotClose() {
        Collector c = new Collector();
        c.feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of(new Seen(200, null, false)), c.seen);
    }

    @Test
    void connectionTokensAreMatchedWholeAndCaseInsensitively() {
        Collector c = new Collector();
        c.feed("HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of(new Seen(200, null, true), new Seen(200, null, false)), c.seen);
    }

    @Test
    void stateNamesAreInterned() {
        Collector c = new Collector();
        c.feed(PLIGHT_200);
        c.feed(PLIGHT_200);
        assertSame(c.stateInstances.get(0), c.stateInstances.get(1));
    }

    @Test
    void malformedResponsesAreRejected() {
        for (String bad : List.of(
                "FOO/1.1 200 OK\r\n\r\n",
                "HTTP/2 200 OK\r\n\r\n",
                "HTTP/1.1 20 OK\r\n\r\n",
                "HTTP/1.1 2000 OK\r\n\r\n",
                "HTTP/1.1 999 Nope\r\n\r\n",
                "HTTP/1.1 099 Nope\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n")) {
            ResponseParser p = new ResponseParser();
            assertThrows(HttpParseException.class, () -> p.feed(buf(bad), new Collector()), bad);
        }
    }

    @Test
    void overlongLinesAreRejectedWithoutGrowingWithoutBound() {
        ResponseParser p = new ResponseParser();
        p.feed(buf("HTTP/1.1 200 OK\r\nX-Big: "), new Collector());
        String chunk = "x".repeat(4096);
        assertThrows(HttpParseException.class, () -> {
            for (int i = 0; i < 10; i++) {
                p.feed(buf(chunk), new Collector());
            }
        });
    }

    @Test
    void resetForgetsAPartialResponse() {
        Collector c = new Collector();
        c.feed("HTTP/1.1 200 OK\r\nContent-Le");
        c.parser.reset();
        c.feed(PLIGHT_200);
        assertEquals(List.of(new Seen(200, "enabled", false)), c.seen);
    }
}
