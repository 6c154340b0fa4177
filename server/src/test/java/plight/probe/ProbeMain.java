package plight.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import plight.config.LogSettings;
import plight.config.WebSettings;
import plight.state.State;

/**
 * A bare probe server on the default "enabled" state, for benchmarks until {@code bin/plight start} exists:
 * {@code java -cp ... plight.probe.ProbeMain [port] [threads]}. No access log, no state files.
 */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 10101;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        WebSettings web = new WebSettings(List.of("0.0.0.0"), port, "plight", "plight",
                new LogSettings(Path.of("/dev/null"), "off", 0, 0), Duration.ofSeconds(60), Duration.ofSeconds(5),
                10_000, threads);
        State enabled = new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0);
        ProbeServer server = new ProbeServer(web, new LiveResponses(enabled), ProbeListener.NONE, AccessLog.OFF);
        server.start();
        System.out.println("plight probe listening on " + server.boundAddresses() + " (" + server.transportName() + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
