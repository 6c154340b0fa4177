package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import plight.testkit.Processes;

/** curl's HTTP/2, by prior knowledge and by upgrade: the state's code, headers and body, as over HTTP/1. */
class CurlTest {
    private H2TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = H2TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String curl(String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "10"));
        command.addAll(List.of(options));
        command.add("http://127.0.0.1:" + server.port() + "/healthz?x=1");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void priorKnowledgeGetsTheStatesAnswer() throws Exception {
        String out = curl("--http2-prior-knowledge");
        assertTrue(out.startsWith("HTTP/2 200 \r\n"), out);
        assertTrue(out.contains("\r\nserver: plight\r\n"), out);
        assertTrue(out.contains("\r\ncontent-type: text/plain; charset=utf-8\r\n"), out);
        assertTrue(out.contains("\r\ncontent-length: 3\r\n"), out);
        assertTrue(out.contains("\r\ncache-control: no-store\r\n"), out);
        assertTrue(out.contains("\r\nx-plight-state: enabled\r\n"), out);
        assertTrue(out.contains("\r\ndate: "), out);
        assertTrue(out.endsWith("\r\n\r\nOK\n"), out);
    }

    @Test
    void priorKnowledgeFollowsTheStateWithItsHeadersInLowerCase() throws Exception {
        server.live.show(H2TestServer.OFFLINE);
        String out = curl("--http2-prior-knowledge");
        assertTrue(out.startsWith("HTTP/2 503 \r\n"), out);
        assertTrue(out.contains("\r\nx-envoy-immediate-health-check-fail: true\r\n"), out);
        assertTrue(out.contains("\r\nx-plight-state: offline\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nnode is offline\n"), out);
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
        List<String> command = List.of("curl", "-sS", "-i", "--http2-prior-knowledge", "--max-time", "10", "-d", "{}",
                "-H", "content-type: application/json", "http://127.0.0.1:" + server.port() + "/grpc.health.v1.Health/Check");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.startsWith("HTTP/2 415 \r\n"), out);
    }

    @Test
    void http1IsAnsweredAsBefore() throws Exception {
        String out = curl("--http1.1");
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nOK\n"), out);
    }
}
