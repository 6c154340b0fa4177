package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.testkit.Curl;
import plight.testkit.Processes;

/** The real daemon's probe port over HTTP/2, as curl speaks it: by prior knowledge and by upgrade. */
@Timeout(120)
class Http2IT extends OneNode {
    private int metricsPort;

    @BeforeEach
    void node() throws IOException {
        node = new PlightNode(dir);
        metricsPort = node.withMetricsPort();
    }

    private String curl(String... options) throws Exception {
        return Curl.response("http://127.0.0.1:" + node.port + "/health", options);
    }

    @Test
    void curlGetsTheStatesCodeHeadersAndBodyOverHttp2() throws Exception {
        node.start();
        String prior = curl("--http2-prior-knowledge");
        assertTrue(prior.startsWith("HTTP/2 200 \r\n"), prior);
        Curl.assertHeaderLines(prior, "server: plight", "content-type: text/plain; charset=utf-8", "x-plight-state: enabled");
        assertTrue(prior.endsWith("\r\n\r\nOK\n"), prior);

        Processes.Result disable = node.plight("disable", "--reason", "h2");
        assertEquals(0, disable.exit(), disable::toString);
        String upgraded = curl("--http2");
        assertTrue(upgraded.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), upgraded);
        assertTrue(upgraded.contains("\r\n\r\nHTTP/2 404 \r\n"), upgraded);
        assertTrue(upgraded.contains("\r\nx-plight-state: disabled\r\n"), upgraded);
        assertTrue(upgraded.endsWith("\r\n\r\nnode is unavailable\n"), upgraded);

        // gRPC Check as curl can send it: an empty HealthCheckRequest (service "", the node).
        Path request = dir.resolve("check.bin");
        java.nio.file.Files.write(request, new byte[5]);
        Path answer = dir.resolve("answer.bin");
        Process grpc = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "--max-time", "10", "-o", answer.toString(),
                "-H", "content-type: application/grpc", "-H", "te: trailers", "--data-binary", "@" + request,
                "http://127.0.0.1:" + node.port + "/grpc.health.v1.Health/Check").redirectErrorStream(true).start();
        String grpcOut = new String(grpc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, grpc.waitFor(), grpcOut);
        // One message, uncompressed, 2 bytes: status (field 1) = NOT_SERVING (2).
        assertEquals(java.util.HexFormat.of().formatHex(new byte[] {0, 0, 0, 0, 2, 8, 2}),
                java.util.HexFormat.of().formatHex(java.nio.file.Files.readAllBytes(answer)));

        String http1 = curl("--http1.1");
        assertTrue(http1.startsWith("HTTP/1.1 404 node is unavailable\r\n"), http1);

        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("plight_probes_total{protocol=\"h2\",state=\"enabled\"} 1"), r.body());
        assertTrue(r.body().contains("plight_probes_total{protocol=\"h2\",state=\"disabled\"} 1"), r.body());
        assertTrue(r.body().contains("plight_probes_total{protocol=\"grpc\",state=\"disabled\"} 1"), r.body());
        assertTrue(r.body().contains("plight_connections_open{protocol=\"h2\"} 0"), r.body());
    }

    @Test
    void aBadGrpcSettingIsAConfigurationErrorWithItsLine() throws Exception {
        node.writeConf(PlightNode.CONF + "[grpc]\nnot_serving_status = maybe\n");
        Processes.Result r = node.plight("start");
        assertEquals(78, r.exit(), r::toString);
        assertTrue(r.err().contains("plight.conf:") && r.err().contains("not_serving_status 'maybe' is not one of ok, unavailable"),
                r::toString);
    }
}
