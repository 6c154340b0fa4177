package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The access log's line, as the daemon writes it. */
class AccessLogWriterTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);

    @Test
    void theLineIsTheOriginals() {
        String time = plight.text.Timestamps.clf(ZonedDateTime.of(2024, 3, 5, 7, 8, 9, 0, ZoneOffset.UTC).toEpochSecond(), ZoneOffset.UTC);
        assertEquals("05/Mar/2024 07:08:09", time);
        assertEquals("192.0.2.7 - - [05/Mar/2024 07:08:09] \"GET / HTTP/1.0\" 200 171",
                AccessLogWriter.line(CLIENT, time, "GET / HTTP/1.0", 200, 171));
    }

    @Test
    void withoutARemoteAddressTheAddressIsADash() {
        assertEquals("- - - [05/Mar/2024 07:08:09] \"\" 408 1", AccessLogWriter.line(null, "05/Mar/2024 07:08:09", "", 408, 1));
    }

    @Test
    void quotesAndControlCharactersInTheRequestLineBecomeQuestionMarks() {
        assertEquals("192.0.2.7 - - [t] \"GET /?a?b?c? HTTP/1.1\" 400 0",
                AccessLogWriter.line(CLIENT, "t", "GET /\"a\tb\u001bc\u007f HTTP/1.1", 400, 0));
    }

    /** Request-target bytes 0x80-0x9f arrive as C1 characters (NEL among them): no log reader may take one for a line end. */
    @Test
    void c1BytesInTheRequestLineBecomeQuestionMarksAndJsonEscapes() {
        assertEquals("192.0.2.7 - - [t] \"GET /a?b?c\u00e9 HTTP/1.1\" 200 0",
                AccessLogWriter.line(CLIENT, "t", "GET /a\u0085b\u009bc\u00e9 HTTP/1.1", 200, 0));
        String json = AccessLogWriter.jsonLine(CLIENT, 0, "GET /a\u0085b HTTP/1.1", 200, 0);
        assertTrue(json.contains("GET /a\\u0085b HTTP/1.1"), json);
    }

    @Test
    void theJsonLineCarriesTheProbesFieldsWithTheRequestLineQuoted() {
        String line = AccessLogWriter.jsonLine(CLIENT, java.time.Instant.parse("2024-03-05T07:08:09.010Z").toEpochMilli(),
                "GET /\"a\r\nb HTTP/1.1", 400, 12);
        assertEquals(-1, line.indexOf('\n'));
        java.util.Map<String, Object> o = plight.testkit.JsonReader.object(line);
        assertEquals("2024-03-05T07:08:09.010Z", o.get("ts"));
        assertEquals("probe", o.get("event"));
        assertEquals("192.0.2.7", o.get("remote"));
        assertEquals("GET /\"a\r\nb HTTP/1.1", o.get("request"));
        assertEquals(400L, ((Number) o.get("status")).longValue());
        assertEquals(12L, ((Number) o.get("bytes")).longValue());
    }

    @Test
    void ipv6AddressesAreWrittenInTheirShortForm() {
        assertEquals("::1 - - [t] \"GET / HTTP/1.1\" 200 2",
                AccessLogWriter.line(new java.net.InetSocketAddress("::1", 40000), "t", "GET / HTTP/1.1", 200, 2));
    }
}
