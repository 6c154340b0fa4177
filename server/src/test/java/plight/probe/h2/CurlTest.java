package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import plight.testkit.Curl;

/** curl's HTTP/2, by prior knowledge and by upgrade: the state's code, headers and body, as over HTTP/1. */
class CurlTest {
    @AutoClose
    private H2TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = H2TestServer.start();
    }

    private String curl(String... options) throws Exception {
        return Curl.response("http://127.0.0.1:" + server.port() + "/healthz?x=1", options);
    }

    /** {@code out} is one answer: its status line, these header lines among others, and this body. */
    private static void assertAnswer(String out, String statusLine, String body, String... headerLines) {
        assertTrue(out.startsWith(statusLine + "\r\n"), out);
        Curl.assertHeaderLines(out, headerLines);
        assertTrue(out.endsWith("\r\n\r\n" + body), out);
    }

    @Test
    void priorKnowledgeGetsTheStatesAnswer() throws Exception {
        String out = curl("--http2-prior-knowledge");
        assertAnswer(out, "HTTP/2 200 ", "OK\n", "server: plight", "content-type: text/plain; charset=utf-8",
                "content-length: 3", "cache-control: no-store", "x-plight-state: enabled");
        assertTrue(out.contains("\r\ndate: "), out);
    }

    @Test
    void priorKnowledgeFollowsTheStateWithItsHeadersInLowerCase() throws Exception {
        server.live.show(H2TestServer.OFFLINE);
        assertAnswer(curl("--http2-prior-knowledge"), "HTTP/2 503 ", "node is offline\n",
                "x-envoy-immediate-health-check-fail: true", "x-plight-state: offline");
    }

    @Test
    void upgradeAnswers101ThenTheStateOnStreamOne() throws Exception {
        server.live.show(H2TestServer.DISABLED);
        String out = curl("--http2");
        assertTrue(out.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), out);
        assertTrue(out.contains("\r\n\r\nHTTP/2 404 \r\n"), out);
        assertTrue(out.contains("\r\nx-plight-state: disabled\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nnode is unavailable\n"), out);
    }

    @Test
    void headHasTheHeadersAndNoBody() throws Exception {
        String out = curl("--http2-prior-knowledge", "-I");
        assertTrue(out.startsWith("HTTP/2 200 \r\n"), out);
        assertTrue(out.contains("\r\ncontent-length: 3\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\n"), out);
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        String out = curl("--http2-prior-knowledge", "-X", "DELETE");
        assertTrue(out.startsWith("HTTP/2 405 \r\n"), out);
        assertTrue(out.contains("\r\nallow: GET, HEAD, OPTIONS\r\n"), out);
    }

    @Test
    void postOfSomethingElseOnTheHealthPathIs415() throws Exception {
        String out = Curl.response("http://127.0.0.1:" + server.port() + "/grpc.health.v1.Health/Check",
                "--http2-prior-knowledge", "-d", "{}", "-H", "content-type: application/json");
        assertTrue(out.startsWith("HTTP/2 415 \r\n"), out);
    }

    @Test
    void http1IsAnsweredAsBefore() throws Exception {
        String out = curl("--http1.1");
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nOK\n"), out);
    }
}
