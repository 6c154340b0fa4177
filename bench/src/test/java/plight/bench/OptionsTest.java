package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import plight.config.Durations;

class OptionsTest {

    private static void usage(String expectedInMessage, String... args) {
        BenchRun o = BenchRun.of(null, args);
        assertEquals(2, o.status(), String.join(" ", args) + " -> " + o.err());
        assertTrue(o.err().contains(expectedInMessage), "'" + expectedInMessage + "' not in: " + o.err());
    }

    /** plight-bench reads durations with the grammar of the configuration and the CLI (DurationsTest has the grammar). */
    @Test
    void durationsOutOfTheGrammarAreBadUsage() {
        usage("--duration: '1.0001s' is not valid; expected a positive duration, " + Durations.GRAMMAR,
                "keepalive", "--url", "http://127.0.0.1:9/", "--duration", "1.0001s");
    }

    @Test
    void helpListsScenariosAndOptions() {
        BenchRun o = BenchRun.of(null, "--help");
        assertEquals(0, o.status());
        for (String word : new String[] {"keepalive", "close", "pipeline", "fleet", "flip", "--url", "--connections",
                "--duration", "--warmup", "--pipeline", "--rate", "--threads", "--transport", "--timeout",
                "--config", "--flip-command", "--flip-interval", "--json", "--compare", "--rounds", "--reuse", "--reuse-share",
                "--jitter", "--pid", "--compare-pid", "--plot", "h2", "grpc", "--streams", "--new-connection",
                "--service"}) {
            assertTrue(o.out().contains(word), word);
        }
    }

    @Test
    void badUsageExitsWithStatus2AndSaysWhatIsValid() {
        String url = "http://127.0.0.1:9/";
        usage("missing scenario; valid: keepalive, close, pipeline, fleet, flip");
        usage("unknown scenario 'bogus'; valid: keepalive", "bogus", "--url", url);
        usage("one scenario expected", "keepalive", "close", "--url", url);
        usage("--url is required", "keepalive");
        usage("--url: 'https://x/' is not an http:// URL", "keepalive", "--url", "https://x/");
        usage("--url: 'http:///' has no host", "keepalive", "--url", "http:///");
        usage("--compare: 'nope' is not an http:// URL", "keepalive", "--url", url, "--compare", "nope");
        usage("unknown option '--bogus'; valid: --url", "keepalive", "--url", url, "--bogus");
        usage("--duration: '10x' is not valid; expected a positive duration", "keepalive", "--url", url,
                "--duration", "10x");
        usage("--duration: '0s' is not valid", "keepalive", "--url", url, "--duration", "0s");
        usage("--warmup: 'soon' is not valid", "keepalive", "--url", url, "--warmup", "soon");
        usage("--connections: '0' is not valid; expected an integer from 1", "keepalive", "--url", url,
                "--connections", "0");
        usage("--threads: 'many' is not valid", "keepalive", "--url", url, "--threads", "many");
        usage("--pipeline applies only to the pipeline scenario", "keepalive", "--url", url, "--pipeline", "4");
        usage("--pipeline: '0' is not valid", "pipeline", "--url", url, "--pipeline", "0");
        usage("--rate applies only to the fleet scenario", "close", "--url", url, "--rate", "4");
        usage("--rate: 'fast' is not valid", "fleet", "--url", url, "--rate", "fast");
        usage("--rate: '0' is not valid", "fleet", "--url", url, "--rate", "0");
        usage("--transport: 'io_uring' is not valid; valid: auto, epoll, nio", "keepalive", "--url", url,
                "--transport", "io_uring");
        usage("--rounds applies only with --compare", "keepalive", "--url", url, "--rounds", "3");
        usage("--rounds: '1' is not valid; expected an integer >= 2", "keepalive", "--url", url, "--compare", url,
                "--rounds", "1");
        usage("--flip-command applies only to the flip scenario", "keepalive", "--url", url, "--flip-command",
                "disabled=true");
        usage("--flip-command: 'nonsense' is not valid; expected STATE=COMMAND", "flip", "--url", url,
                "--flip-command", "nonsense");
        usage("--compare is not available for the flip scenario", "flip", "--url", url, "--compare", url);
        usage("Expected a value after parameter --duration", "keepalive", "--url", url, "--duration");
        usage("--reuse applies only to the fleet scenario", "close", "--url", url, "--reuse");
        usage("--jitter applies only to the fleet scenario", "keepalive", "--url", url, "--jitter", "10");
        usage("--reuse-share: '150' is not valid; expected a percentage from 0 to 100", "fleet", "--url", url,
                "--reuse-share", "150");
        usage("--reuse and --reuse-share exclude each other", "fleet", "--url", url, "--reuse", "--reuse-share", "5");
        usage("--pid: 'self' is not valid; expected a process id", "keepalive", "--url", url, "--pid", "self");
        usage("--compare-pid applies only with --compare", "keepalive", "--url", url, "--compare-pid", "1");
        usage("--plot: 'out.png' is not valid; expected a file name ending in .svg", "keepalive", "--url", url,
                "--plot", "out.png");
    }

    @Test
    void http2OptionsApplyOnlyToTheHttp2Scenarios() {
        String url = "http://127.0.0.1:9/";
        usage("unknown scenario 'bogus'; valid: keepalive, close, pipeline, fleet, flip, h2, grpc", "bogus",
                "--url", url);
        usage("--streams applies only to the h2 and grpc scenarios", "keepalive", "--url", url, "--streams", "4");
        usage("--new-connection applies only to the h2 and grpc scenarios", "close", "--url", url,
                "--new-connection");
        usage("--streams: '0' is not valid; expected an integer from 1 to 4096", "h2", "--url", url, "--streams", "0");
        usage("--streams and --new-connection exclude each other", "grpc", "--url", url, "--streams", "2",
                "--new-connection");
        usage("--service applies only to the grpc scenario", "h2", "--url", url, "--service", "x");
        usage("--pipeline applies only to the pipeline scenario", "h2", "--url", url, "--pipeline", "4");
    }

    @Test
    void unreachableHttp2TargetIsAClearErrorWithStatus1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        for (String scenario : new String[] {"h2", "grpc"}) {
            BenchRun o = BenchRun.of(null, scenario, "--url", "http://127.0.0.1:" + port + "/", "--duration", "1s");
            assertEquals(1, o.status(), o.err());
            assertTrue(o.err().contains("cannot reach http://127.0.0.1:" + port + "/"), o.err());
            assertTrue(o.out().isEmpty(), "no table: " + o.out());
        }
    }

    @Test
    void unreachableUrlIsAClearErrorWithStatus1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BenchRun o = BenchRun.of(null, "keepalive", "--url", "http://127.0.0.1:" + port + "/", "--duration", "1s");
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains("cannot reach http://127.0.0.1:" + port + "/"), o.err());
        assertTrue(o.out().isEmpty(), "no table: " + o.out());

        BenchRun unknown = BenchRun.of(null, "close", "--url", "http://no-such-host.invalid/", "--duration", "1s");
        assertEquals(1, unknown.status(), unknown.err());
        assertTrue(unknown.err().contains("unknown host no-such-host.invalid"), unknown.err());
    }

    @Test
    void aServerThatIsNotHttpIsAClearError() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (var c = s.accept()) {
                    c.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // test ends anyway
                }
            });
            t.start();
            BenchRun o = BenchRun.of(null, "keepalive", "--url", "http://127.0.0.1:" + s.getLocalPort() + "/");
            t.join();
            assertEquals(1, o.status(), o.err());
            assertTrue(o.err().contains("does not answer with HTTP/1.x: bad status line"), o.err());
        }
    }
}
