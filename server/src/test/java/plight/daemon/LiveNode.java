package plight.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.control.ControlServer;
import plight.control.ControlWire;
import plight.probe.AccessLog;
import plight.probe.LiveResponses;
import plight.probe.ProbeServer;
import plight.probe.ProbeSources;
import plight.state.StateStore;

/**
 * The daemon's parts wired as {@code Daemon.run} wires them — state keeper, control actions, probe server and
 * control socket — in this JVM, on a config file in a test directory, the probe port on 127.0.0.1 and an
 * ephemeral port. (Not {@code Daemon.runForeground} itself: it configures tinylog, which can be done once per JVM.)
 */
final class LiveNode implements AutoCloseable {
    /** Three classic states; {@code @DIR@} is the test directory, {@code @ENABLED@} the default state's message. */
    static final String CONF = String.join("\n",
            "[webserver]",
            "host = 127.0.0.1",
            "port = 0",
            "logfile = @DIR@/log/access.log",
            "loglevel = OFF",
            "[logging]",
            "logfile = @DIR@/log/plight.log",
            "[control]",
            "socket = @DIR@/run/control.sock",
            "mode = 0600",
            "[daemon]",
            "pidfile = @DIR@/run/plight.pid",
            "[priorities]",
            "states = enabled,disabled,offline",
            "[enabled]",
            "code = 200",
            "message = OK",
            "[disabled]",
            "file = @DIR@/state/node_disabled",
            "code = 404",
            "message = node is unavailable",
            "[offline]",
            "file = @DIR@/state/node_offline",
            "code = 503",
            "message = node is offline",
            "");

    final Path dir;
    final Path conf;
    final Config config;
    final LiveResponses responses;
    final ProbeSources sources = new ProbeSources();
    final ProbeServer probe;
    final StateKeeper keeper;
    final DaemonControl actions;
    final ControlServer control;
    final CountDownLatch stopRequested = new CountDownLatch(1);
    private final ScheduledExecutorService timer;

    private LiveNode(Path dir, Path conf, Config config) {
        this.dir = dir;
        this.conf = conf;
        this.config = config;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plight-timer-test");
            t.setDaemon(true);
            return t;
        });
        StateStore store = new StateStore(config.states());
        responses = new LiveResponses(store.read().state());
        probe = new ProbeServer(config.web(), responses, sources, AccessLog.OFF);
        keeper = new StateKeeper(store, responses::show, timer, Clock.systemUTC());
        actions = new DaemonControl(config, new ConfigLoader(Environment.current()), keeper, responses, sources,
                probe::openConnections, timer, stopRequested::countDown, SystemdNotifier.NONE);
        control = new ControlServer(config.control(), actions);
    }

    static Path writeConf(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("plight.conf"), text.replace("@DIR@", dir.toString()), StandardCharsets.UTF_8);
    }

    static LiveNode start(Path dir) throws IOException, ConfigException {
        return start(dir, CONF);
    }

    static LiveNode start(Path dir, String confText) throws IOException, ConfigException {
        Path conf = writeConf(dir, confText);
        LiveNode node = new LiveNode(dir, conf, new ConfigLoader(Environment.current()).loadFile(conf));
        try {
            node.keeper.start();
            node.probe.start();
            node.control.start();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    int port() {
        return probe.boundAddresses().get(0).getPort();
    }

    Path socket() {
        return config.control().socket();
    }

    Path marker(String state) {
        return config.states().byName(state).orElseThrow().file();
    }

    ControlWire connect() throws IOException {
        return ControlWire.open(socket());
    }

    /** The state a new probe connection is answered with. */
    Http.Response probeOnce() throws IOException {
        return Http.once(port());
    }

    @Override
    public void close() {
        control.close();
        probe.close();
        keeper.close();
        timer.shutdownNow();
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A condition on a probe; probe failures count as "not yet". */
    static BooleanSupplier probes(LiveNode node, int code) {
        return () -> {
            try {
                return node.probeOnce().code() == code;
            } catch (IOException e) {
                return false;
            }
        };
    }
}
