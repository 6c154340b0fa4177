package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import plight.config.Durations;

class OptionsTest {

    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), null);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void usage(String expectedInMessage, String... args) {
        Outcome o = run(args);
        assertEquals(2, o.status(), String.join(" ", args) + " -> " + o.err());
        assertTrue(o.err().contains(expectedInMessage), "'" + expectedInMessage + "' not in: " + o.err());
    }

    /** plight-bench reads durations with the grammar of the configuration and the CLI. */
    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofSeconds(7), Durations.parse("7"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        for (String bad : new String[] {"", "s", "10x", "-1s", "1e3s", "ten", "1.s"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
        assertEquals("10s", Durations.format(Duration.ofSeconds(10)));
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("2m", Durations.format(Duration.ofMinutes(2)));
        usage("--duration: '1.0001s' is not valid; expected a positive duration, " + Durations.GRAMMAR,
                "keepalive", "--url", "http://127.0.0.1:9/", "--duration", "1.0001s");
    }

    @Test
    void helpListsScenariosAndOptions() {
        Outcome o = run("--help");
        assertEquals(0, o.status());
        for (String word : new String[] {"keepalive", "close", "pipeline", "fleet", "flip", "--url", "--connections",
                "--duration", "--warmup", "--pipeline", "--rate", "--threads", "--transport", "--timeout",
                "--config", "--flip-command", "--flip-interval", "--json", "--compare", "--rounds", "--reuse", "--reuse-share",
                "--jitter", "--pid", "--compare-pid", "--plot"}) {
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
    void unreachableUrlIsAClearErrorWithStatus1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Outcome o = run("keepalive", "--url", "http://127.0.0.1:" + port + "/", "--duration", "1s");
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains("cannot reach http://127.0.0.1:" + port + "/"), o.err());
        assertTrue(o.out().isEmpty(), "no table: " + o.out());

        Outcome unknown = run("close", "--url", "http://no-such-host.invalid/", "--duration", "1s");
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
            Outcome o = run("keepalive", "--url", "http://127.0.0.1:" + s.getLocalPort() + "/");
            t.join();
            assertEquals(1, o.status(), o.err());
            assertTrue(o.err().contains("does not answer with HTTP/1.x: bad status line"), o.err());
        }
    }
}
