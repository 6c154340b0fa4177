package plight.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import plight.testkit.Await;
import plight.testkit.RawHttp.Response;
import plight.testkit.RawHttp;

/** SPEC "Probe port (HTTP)", line by line, over real sockets. Limits and timeouts are in {@link ProbeLimitsTest}. */
class ProbeHttpTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Response probe(String request, boolean head) throws IOException {
        try (RawHttp c = server.connect()) {
            return c.send(request).read(head);
        }
    }

    // "Every GET, HEAD and OPTIONS, on any path and query, is answered with the current state"
    @ParameterizedTest
    @CsvSource({
        "GET, /", "GET, /health?check=1&x=%20", "GET, *", "GET, http://lb.example/status", "GET, /a/b/../c;p?q#f",
        "OPTIONS, *", "OPTIONS, /", "OPTIONS, /any/path?with=query",
    })
    void getAndOptionsAnswerWithTheStateAndItsBody(String method, String target) throws IOException {
        Response r = probe(method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false);
        assertEquals("HTTP/1.1", r.version());
        assertEquals(200, r.code());
        assertEquals("OK", r.reason());
        assertEquals("OK\n", r.bodyText());
        assertEquals("enabled", r.header("X-Plight-State"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/health?check=1", "*", "/über/ünïcödé?ä=ö"})
    void headAnswersWithoutBodyButWithTheGetLength(String target) throws IOException {
        try (RawHttp c = server.connect()) {
            // A following GET on the same connection shows that no body bytes were sent for HEAD.
            c.send(("HEAD " + target + " HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            Response head = c.read(true);
            Response get = c.read(false);
            assertEquals(200, head.code());
            assertEquals(0, head.body().length);
            assertEquals("3", head.header("Content-Length"));
            assertEquals(200, get.code());
            assertEquals("OK\n", get.bodyText());
        }
    }

    // "Headers: Server, Date, Content-Type, Content-Length, Cache-Control, X-Plight-State, the state's extra headers"
    @Test
    void headersAreTheContractsAndOnlyThose() throws IOException {
        Response r = probe("GET / HTTP/1.1\r\n\r\n", false);
        assertEquals(List.of("server", "date", "content-type", "content-length", "cache-control", "x-plight-state"),
                r.headerNames());
        assertEquals("plight", r.header("Server"));
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
        Instant date = ZonedDateTime.parse(r.header("Date"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(Duration.between(date, Instant.now()).abs().getSeconds() <= 2, "Date is now: " + r.header("Date"));
        assertTrue(r.header("Date").matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                "IMF-fixdate: " + r.header("Date"));
    }

    @Test
    void stateCodeMessageAndExtraHeadersAreServed() throws IOException {
        server.live.show(TestStates.OFFLINE);
        try {
            Response r = probe("GET / HTTP/1.1\r\n\r\n", false);
            assertEquals(503, r.code());
            assertEquals("node is offline", r.reason());
            assertEquals("node is offline\n", r.bodyText());
            assertEquals("offline", r.header("X-Plight-State"));
            assertEquals("true", r.header("x-envoy-immediate-health-check-fail"));
            assertEquals("two words", r.header("X-Extra"));
        } finally {
            server.live.show(TestStates.ENABLED);
        }
    }

    @Test
    void messageIsSentAsUtf8ReasonAndBody() throws IOException {
        server.live.show(TestStates.withCode("maintenance", 503, "Wartung läuft – bitte warten"));
        try {
            Response r = probe("GET / HTTP/1.0\r\n\r\n", false);
            assertEquals("Wartung läuft – bitte warten", r.reason());
            assertEquals("Wartung läuft – bitte warten\n", r.bodyText());
            assertEquals(String.valueOf("Wartung läuft – bitte warten\n".getBytes(StandardCharsets.UTF_8).length),
                    r.header("Content-Length"));
        } finally {
            server.live.show(TestStates.ENABLED);
        }
    }

    // "the response's version follows the request's: 1.0 or 1.1"
    @ParameterizedTest
    @CsvSource({"HTTP/1.0, HTTP/1.0", "HTTP/1.1, HTTP/1.1", "HTTP/1.9, HTTP/1.1"})
    void responseVersionFollowsTheRequest(String requested, String answered) throws IOException {
        assertEquals(answered, probe("GET / " + requested + "\r\nConnection: close\r\n\r\n", false).version());
    }

    // "Persistence per RFC 9112 (1.1 keep-alive unless Connection: close; 1.0 only with Connection: keep-alive)"
    @Test
    void http11KeepsTheConnectionOpenWithoutConnectionHeader() throws IOException {
        try (RawHttp c = server.connect()) {
            for (int i = 0; i < 3; i++) {
                Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertEquals(200, r.code());
                assertNull(r.header("Connection"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"close", "Close", "CLOSE", "Upgrade, close", "close,keep-alive", " keep-alive , CLOSE "})
    void http11WithConnectionCloseIsAnsweredWithCloseAndClosed(String connection) throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send("GET / HTTP/1.1\r\nConnection: " + connection + "\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send("GET / HTTP/1.0\r\n\r\n").read();
            assertEquals("HTTP/1.0", r.version());
            assertNull(r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-alive", "Keep-Alive", "KEEP-ALIVE", "keep-alive, Upgrade", "TE,keep-alive"})
    void http10WithKeepAliveStaysOpen(String connection) throws IOException {
        try (RawHttp c = server.connect()) {
            for (int i = 0; i < 3; i++) {
                Response r = c.send("HEAD / HTTP/1.0\r\nConnection: " + connection + "\r\n\r\n").read(true);
                assertEquals("keep-alive", r.header("Connection"));
            }
            Response last = c.send("GET / HTTP/1.0\r\n\r\n").read();
            assertEquals("OK\n", last.bodyText());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void connectionHeaderNameIsCaseInsensitiveAndOtherHeadersAreIgnored() throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send("GET / HTTP/1.1\r\nX-Connection: close\r\nConnection-X: close\r\n"
                    + "Keep-Alive: close\r\ncOnNeCtIoN:close\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    // "Pipelined requests are answered in order."
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        Random random = new Random(42);
        StringBuilder requests = new StringBuilder();
        List<String> methods = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String method = List.of("GET", "HEAD", "OPTIONS").get(random.nextInt(3));
            boolean http10 = random.nextBoolean();
            methods.add(method);
            versions.add(http10 ? "HTTP/1.0" : "HTTP/1.1");
            requests.append(method).append(" /").append(i).append(' ').append(versions.get(i)).append("\r\n")
                    .append(http10 ? "Connection: keep-alive\r\n" : "").append("Host: x\r\n\r\n");
        }
        requests.append("GET /last HTTP/1.1\r\nConnection: close\r\n\r\n");
        try (RawHttp c = server.connect()) {
            c.send(requests.toString());
            for (int i = 0; i < methods.size(); i++) {
                boolean head = methods.get(i).equals("HEAD");
                Response r = c.read(head);
                assertEquals(versions.get(i), r.version(), "response " + i);
                assertEquals(head ? "" : "OK\n", r.bodyText(), "response " + i);
            }
            assertEquals("close", c.read().header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    // "A request line followed by end of input without a blank line (GET / HTTP/1.0\r\n then FIN) is answered"
    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.0\r\n", "GET / HTTP/1.0", "GET / HTTP/1.1\r\n", "HEAD / HTTP/1.0\n",
        "GET / HTTP/1.0\r\nHost: x\r\n", "GET / HTTP/1.1\r\n\r\nGET /second HTTP/1.1\r\n"})
    void requestLineThenEndOfInputIsAnswered(String request) throws IOException {
        try (RawHttp c = server.connect()) {
            c.send(request).shutdownOutput();
            boolean head = request.startsWith("HEAD");
            assertEquals(200, c.read(head).code());
            if (request.contains("/second")) {
                assertEquals(200, c.read().code());
            }
            assertArrayEquals(new byte[0], c.readToEnd());
        }
    }

    // "A request line without a version (GET /\r\n, the HTTP/0.9 form F5's default monitor sends) is answered
    // with the state's response in HTTP/1.0 form, then closed."
    @ParameterizedTest
    @CsvSource({"enabled, 200", "disabled, 404", "offline, 503"})
    void requestLineWithoutVersionGetsTheStatesHttp10AnswerThenClose(String state, int code) throws IOException {
        server.live.show(state.equals("enabled") ? TestStates.ENABLED
                : state.equals("disabled") ? TestStates.DISABLED : TestStates.OFFLINE);
        try (RawHttp c = server.connect()) {
            // Nothing follows the line: HTTP/0.9 has no headers, so the line is the whole request.
            Response r = c.send("GET /\r\n").read();
            assertEquals("HTTP/1.0", r.version());
            assertEquals(code, r.code());
            assertEquals(state, r.header("X-Plight-State"));
            assertEquals(r.reason() + "\n", r.bodyText());
            assertNull(r.header("Connection"), "HTTP/1.0 closes by default");
            assertTrue(c.closedByServer());
        } finally {
            server.live.show(TestStates.ENABLED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /\n", "GET /health?x=1\r\n", "GET  /  \r\n", "OPTIONS *\r\n", "HEAD /\r\n",
        "GET /\r\n\r\n", "GET /\r\nGET / HTTP/1.1\r\n\r\n"})
    void requestLineWithoutVersionIsAnsweredAloneWhateverFollows(String request) throws IOException {
        try (RawHttp c = server.connect()) {
            c.send(request);
            boolean head = request.startsWith("HEAD");
            Response r = c.read(head);
            assertEquals("HTTP/1.0", r.version(), request);
            assertEquals(200, r.code(), request);
            assertEquals(head ? "" : "OK\n", r.bodyText(), request);
            assertArrayEquals(new byte[0], c.readToEnd(), "nothing after the answer");
        }
    }

    @Test
    void requestLineWithoutVersionThenEndOfInputIsAnswered() throws IOException {
        try (RawHttp c = server.connect()) {
            c.send("GET /").shutdownOutput();
            Response r = c.read();
            assertEquals("HTTP/1.0", r.version());
            assertEquals(200, r.code());
            assertArrayEquals(new byte[0], c.readToEnd());
        }
    }

    @Test
    void otherMethodWithoutVersionIs405InHttp10() throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send("POST /\r\n").read();
            assertEquals("HTTP/1.0", r.version());
            assertEquals(405, r.code());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void endOfInputAfterCompleteRequestsClosesAfterAnsweringThem() throws IOException {
        try (RawHttp c = server.connect()) {
            c.send("GET / HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\n").shutdownOutput();
            assertEquals(200, c.read().code());
            assertEquals(200, c.read(true).code());
            assertArrayEquals(new byte[0], c.readToEnd());
        }
    }

    @Test
    void bareLfLineEndingsAreTolerated() throws IOException {
        try (RawHttp c = server.connect()) {
            assertEquals(200, c.send("GET / HTTP/1.1\nHost: x\n\n").read().code());
            assertEquals("close", c.send("GET / HTTP/1.1\nConnection: close\n\n").read().header("Connection"));
        }
    }

    @Test
    void emptyLinesBeforeARequestAreIgnored() throws IOException {
        try (RawHttp c = server.connect()) {
            assertEquals(200, c.send("\r\n\r\nGET / HTTP/1.1\r\n\r\n").read().code());
        }
    }

    // "Other methods -> 405 with Allow: GET, HEAD, OPTIONS ... Each of these closes the connection."
    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "get", "Head", "PROPFIND", "X"})
    void otherMethodsAre405WithAllowAndClose(String method) throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send(method + " / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(405, r.code());
            assertEquals("Method Not Allowed", r.reason());
            assertEquals("GET, HEAD, OPTIONS", r.header("Allow"));
            assertEquals("close", r.header("Connection"));
            assertNull(r.header("X-Plight-State"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void errorAnswerFollowsTheRequestVersion() throws IOException {
        assertEquals("HTTP/1.0", probe("DELETE / HTTP/1.0\r\n\r\n", false).version());
    }

    // "malformed -> 400"
    @ParameterizedTest
    @ValueSource(strings = {
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/1.x\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET / HTTP/1.10\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
        "GET /\u0001 HTTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
        "\u0000\u0001\u0002\r\n\r\n",
    })
    void malformedRequestsAre400AndClose(String request) throws IOException {
        assertAnswered400AndClosed(request);
    }

    /** Sends {@code request} on a connection of its own: the answer is 400 with {@code Connection: close}, then the close. */
    private void assertAnswered400AndClosed(String request) throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send(request).read(request.startsWith("HEAD"));
            assertEquals(400, r.code(), request);
            assertEquals("close", r.header("Connection"), request);
            assertTrue(c.closedByServer(), request);
        }
    }

    // "A request line naming HTTP/2.0 or later -> 505."
    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/2.0", "GET / HTTP/3.0", "HEAD / HTTP/9.9", "PRI * HTTP/2.0"})
    void requestLineNamingHttp2OrLaterIs505AndClose(String line) throws IOException {
        try (RawHttp c = server.connect()) {
            boolean head = line.startsWith("HEAD");
            Response r = c.send(line + "\r\nHost: x\r\n\r\n").read(head);
            assertEquals(505, r.code(), line);
            assertEquals("HTTP Version Not Supported", r.reason());
            assertEquals("close", r.header("Connection"));
            assertArrayEquals(new byte[0], c.readToEnd(), "no body for HEAD, nothing after the answer");
        }
    }

    // RFC 9110 9.3.2: the answer to HEAD has no content, errors included; its Content-Length is GET's.
    static Stream<Arguments> headRequestsAnsweredWithAnError() {
        return Stream.of(
                Arguments.of(400, "HEAD / HTTP/1.1\r\nBad Name: x\r\n\r\n"),
                Arguments.of(400, "HEAD / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"),
                Arguments.of(400, "HEAD / HTTP/1.x\r\n\r\n"),
                Arguments.of(414, "HEAD /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n"),
                Arguments.of(431, "HEAD / HTTP/1.1\r\nX-Big: " + "b".repeat(17 * 1024) + "\r\n\r\n"));
    }

    @ParameterizedTest
    @MethodSource("headRequestsAnsweredWithAnError")
    void headAnsweredWithAnErrorHasNoBody(int code, String request) throws IOException {
        String getBody;
        try (RawHttp c = server.connect()) {
            getBody = c.send(request.replaceFirst("HEAD", "GET")).read().bodyText();
        }
        try (RawHttp c = server.connect()) {
            Response r = c.send(request).read(true);
            assertEquals(code, r.code());
            assertEquals(String.valueOf(getBody.length()), r.header("Content-Length"), "GET's length");
            assertEquals("close", r.header("Connection"));
            assertArrayEquals(new byte[0], c.readToEnd(), "a body after the head of an error to HEAD");
        }
    }

    // "malformed -> 400", at once when the first line cannot become a request line: waiting for a line end
    // would only turn it into a 408 after request_timeout.
    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\rHost: x\r\r", "GET / HTTP/1.1\r\r", "GET /\u0000", "\u0000\u0000",
        "G\u0001", "GET / HTTP/1.1 \u007f"})
    void inputThatCannotBeARequestLineIs400WithoutWaitingForALineEnd(String input) throws IOException {
        try (RawHttp c = server.connect()) {
            Response r = c.send(input).read();
            assertEquals(400, r.code(), input);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void tlsClientHelloIs400WithoutWaitingForALineEnd() throws IOException {
        // The start of a TLS 1.2/1.3 ClientHello (record header, handshake header, version, random): no LF.
        byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, 0x5e, (byte) 0xa1,
            0x2c, 0x77, (byte) 0x90, 0x13, 0x44, (byte) 0xe0, 0x21, 0x3b, (byte) 0xc8, 0x01, 0x6f};
        try (RawHttp c = server.connect()) {
            Response r = c.send(hello).read();
            assertEquals(400, r.code());
            assertTrue(c.closedByServer());
        }
    }

    // RFC 9112 2.2 / RFC 9110 5.5: NUL or a bare CR in a field value is rejected.
    @ParameterizedTest
    @ValueSource(strings = {"X-A: a\u0000b", "X-A: \u0000", "X-A: a\rb", "X-A: a\r", "Host: x\r\rY: z"})
    void nulOrBareCrInAHeaderValueIs400(String header) throws IOException {
        assertAnswered400AndClosed("GET / HTTP/1.1\r\n" + header + "\r\n\r\n");
    }

    // "a request with a body -> 400"
    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "OPTIONS / HTTP/1.1\r\ncontent-length: 1\r\n\r\nx",
        "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HEAD / HTTP/1.0\r\nTRANSFER-ENCODING: identity\r\n\r\n",
    })
    void requestsWithABodyAre400AndClose(String request) throws IOException {
        assertAnswered400AndClosed(request);
    }

    @Test
    void zeroContentLengthIsNoBody() throws IOException {
        try (RawHttp c = server.connect()) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").read().code());
            assertEquals(200, c.send("GET / HTTP/1.1\r\nContent-Length: 000\r\n\r\n").read().code());
        }
    }

    // "request line over 8 KiB -> 414"
    @Test
    void requestLineOver8KiBIs414AndClose() throws IOException {
        String target = "/" + "a".repeat(8192);
        try (RawHttp c = server.connect()) {
            Response r = c.send("GET " + target + " HTTP/1.1\r\n\r\n").read();
            assertEquals(414, r.code());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void requestLineOver8KiBWithoutLineEndIs414WithoutWaitingForTheRest() throws IOException {
        try (RawHttp c = server.connect()) {
            c.send("GET /" + "a".repeat(9000));
            assertEquals(414, c.read().code());
        }
    }

    @Test
    void requestLineOfExactly8KiBIsAnswered() throws IOException {
        String line = "GET /" + "a".repeat(8192 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertEquals(8192, line.length());
        assertEquals(200, probe(line + "\r\n\r\n", false).code());
    }

    // "header section over 16 KiB -> 431"
    @Test
    void headerSectionOver16KiBIs431AndClose() throws IOException {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; headers.length() <= 16 * 1024; i++) {
            headers.append("X-Filler-").append(i).append(": ").append("v".repeat(100)).append("\r\n");
        }
        try (RawHttp c = server.connect()) {
            Response r = c.send("GET / HTTP/1.1\r\n" + headers + "\r\n").read();
            assertEquals(431, r.code());
            assertEquals("Request Header Fields Too Large", r.reason());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void oneHugeHeaderLineWithoutEndIs431() throws IOException {
        try (RawHttp c = server.connect()) {
            c.send("GET / HTTP/1.1\r\nX-Big: " + "b".repeat(17 * 1024));
            assertEquals(431, c.read().code());
        }
    }

    @Test
    void headerSectionOfExactly16KiBIsAnswered() throws IOException {
        String prefix = "X-Fill: ";
        String line = prefix + "v".repeat(16 * 1024 - prefix.length() - 2) + "\r\n";
        assertEquals(16 * 1024, line.length());
        assertEquals(200, probe("GET / HTTP/1.1\r\n" + line + "\r\n", false).code());
    }

    @Test
    void manyConnectionsInARowAreServed() throws IOException {
        for (int i = 0; i < 200; i++) {
            assertEquals(200, probe("GET / HTTP/1.0\r\n\r\n", false).code());
        }
        Await.until(() -> server.server.openConnections() == 0, Duration.ofSeconds(5), "all connections closed");
    }
}
