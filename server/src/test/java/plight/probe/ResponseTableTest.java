package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plight.state.State;

class ResponseTableTest {
    private static final Instant WHEN = Instant.parse("2024-03-05T07:08:09Z");

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static ResponseTable table(State state) {
        return ResponseTable.render(state, WHEN, new LongAdder());
    }

    @Test
    void getVariantsAreRenderedByteForByte() {
        ResponseTable t = table(TestStates.OFFLINE);
        String common = "Server: plight\r\nDate: Tue, 05 Mar 2024 07:08:09 GMT\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\nCache-Control: no-store\r\n"
                + "X-Plight-State: offline\r\nx-envoy-immediate-health-check-fail: true\r\nX-Extra: two words\r\n";
        assertEquals("HTTP/1.1 503 node is offline\r\n" + common + "\r\nnode is offline\n", text(t.probe(true, true, false)));
        assertEquals("HTTP/1.1 503 node is offline\r\n" + common + "Connection: close\r\n\r\nnode is offline\n",
                text(t.probe(true, false, false)));
        assertEquals("HTTP/1.0 503 node is offline\r\n" + common + "Connection: keep-alive\r\n\r\nnode is offline\n",
                text(t.probe(false, true, false)));
        assertEquals("HTTP/1.0 503 node is offline\r\n" + common + "\r\nnode is offline\n", text(t.probe(false, false, false)));
    }

    @Test
    void headIsTheGetAnswerWithoutBody() {
        ResponseTable t = table(TestStates.DISABLED);
        for (boolean http11 : new boolean[] {false, true}) {
            for (boolean keepAlive : new boolean[] {false, true}) {
                String get = text(t.probe(http11, keepAlive, false));
                assertEquals(get.substring(0, get.indexOf("\r\n\r\n") + 4), text(t.probe(http11, keepAlive, true)));
            }
        }
    }

    @Test
    void failuresCarryTheirStatusAndCloseTheConnection() {
        ResponseTable t = table(TestStates.ENABLED);
        assertEquals("HTTP/1.1 405 Method Not Allowed\r\nServer: plight\r\nDate: Tue, 05 Mar 2024 07:08:09 GMT\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\nCache-Control: no-store\r\n"
                + "Allow: GET, HEAD, OPTIONS\r\nConnection: close\r\n\r\nMethod Not Allowed\n",
                text(t.failure(Failure.METHOD_NOT_ALLOWED, true, false)));
        for (Failure f : Failure.values()) {
            String http10 = text(t.failure(f, false, false));
            assertTrue(http10.startsWith("HTTP/1.0 " + f.code + " " + f.reason + "\r\n"), http10);
            assertTrue(http10.contains("\r\nConnection: close\r\n"), http10);
            for (boolean http11 : new boolean[] {false, true}) {
                String get = text(t.failure(f, http11, false));
                assertEquals(get.substring(0, get.indexOf("\r\n\r\n") + 4), text(t.failure(f, http11, true)),
                        "the answer to HEAD is GET's without the body");
            }
        }
    }

    @Test
    void dayOfMonthHasTwoDigitsAsImfFixdateRequires() {
        assertTrue(text(table(TestStates.ENABLED).probe(true, true, false)).contains("Date: Tue, 05 Mar 2024"));
    }

    @ParameterizedTest
    @ValueSource(ints = {101, 204, 304})
    void statusesWithoutContentGetNoBody(int code) {
        String answer = text(table(TestStates.withCode("odd", code, "odd")).probe(true, true, false));
        assertTrue(answer.endsWith("\r\n\r\n"), answer);
        assertFalse(answer.contains("Content-Length"), answer);
    }

    @Test
    void controlCharactersInTheMessageDoNotBreakTheStatusLine() {
        String answer = text(table(TestStates.withCode("odd", 503, "two\r\nlines")).probe(true, true, false));
        assertTrue(answer.startsWith("HTTP/1.1 503 two  lines\r\nServer: plight\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\ntwo\r\nlines\n"), answer);
    }

    @Test
    void headersThatWouldBreakFramingAreRefused() {
        State injected = new State("bad", null, 200, "OK", "enable", "up ready", Map.of("X-A", "1\r\nX-B: 2"), 0);
        assertThrows(IllegalArgumentException.class, () -> table(injected));
        State badName = new State("bad", null, 200, "OK", "enable", "up ready", Map.of("X A", "1"), 0);
        assertThrows(IllegalArgumentException.class, () -> table(badName));
    }

    @Test
    void answersAreSharedReadOnlyAndSurviveBeingReleased() {
        ResponseTable t = table(TestStates.ENABLED);
        ByteBuf first = t.probe(true, true, false);
        ByteBuf second = t.probe(true, true, false);
        assertNotSame(first, second);
        assertTrue(first.isDirect() && first.hasMemoryAddress(), "native transports write it without a copy");
        assertTrue(first.isReadOnly());
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> first.setByte(0, 'X'));
        first.skipBytes(5);
        assertEquals(0, second.readerIndex(), "each write gets its own indexes");
        first.release();
        first.release();
        assertEquals("HTTP/1.1 200 OK", text(t.probe(true, true, false)).substring(0, 15));
    }

    @Test
    void countsServedProbesInTheSharedCounter() {
        LongAdder served = new LongAdder();
        ResponseTable t = ResponseTable.render(TestStates.ENABLED, WHEN, served);
        t.countServed();
        t.countServed();
        assertEquals(2, served.sum());
    }
}
