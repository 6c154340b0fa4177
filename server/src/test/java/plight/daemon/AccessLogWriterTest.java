package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The access log's line, as the daemon writes it. */
class AccessLogWriterTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);

    @Test
    void theLineIsTheOriginals() {
        String time = AccessLogWriter.CLF_TIME.format(ZonedDateTime.of(2024, 3, 5, 7, 8, 9, 0, ZoneOffset.UTC));
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

    @Test
    void ipv6AddressesAreWrittenInTheirShortForm() {
        assertEquals("::1 - - [t] \"GET / HTTP/1.1\" 200 2",
                AccessLogWriter.line(new java.net.InetSocketAddress("::1", 40000), "t", "GET / HTTP/1.1", 200, 2));
    }
}
