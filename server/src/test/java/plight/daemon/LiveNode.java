package plight.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.control.Caller;
import plight.control.Reply;
import plight.control.server.ControlWire;
import plight.probe.AccessLog;
import plight.probe.ProbeServer;
import plight.state.StoreException;
import plight.testkit.Await;
import plight.testkit.Confs;
import plight.testkit.Ports;
import plight.testkit.RawHttp;

/**
 * The daemon's real assembly ({@link Daemon}) in this JVM, on a config file in a test directory: the probe port
 * on 127.0.0.1 and an ephemeral port, the agent-check port on a free one, the timers fast. (Not
 * {@code Daemon.runForeground} itself: it takes the JVM's signals.)
 */
final class LiveNode implements AutoCloseable {
    /** Fast enough for tests; control connections keep the daemon's idle time, as tests hold them open. */
    static final Timings FAST = new Timings(Timings.DEFAULT.controlIdle(), Duration.ofMillis(50), Duration.ofMillis(10),
            Timings.DEFAULT.forgetSources());

    /** {@link Confs#NODE} with no access log and a 0600 socket; {@code @DIR@} and {@code @AGENT@} are filled by {@link #writeConf}. */
    static final String CONF = Confs.fill(Confs.NODE, Map.of("PORT", "0", "ACCESS", "OFF", "MODE", "0600"));

    private static final Map<Path, Integer> AGENT_PORTS = new HashMap<>();

    final Path dir;
    final Path conf;
    final Config config;
    final Daemon daemon;
    final StateKeeper keeper;
    final DaemonControl actions;
    final ProbeServer probe;
    final CountDownLatch stopRequested = new CountDownLatch(1);

    private LiveNode(Path dir, Path conf, Config config, Timings timings) throws IOException, StoreException {
        this.dir = dir;
        this.conf = conf;
        this.config = config;
        daemon = Daemon.start(config, timings, AccessLog.OFF, stopRequested::countDown);
        keeper = daemon.keeper();
        actions = daemon.actions();
        probe = daemon.probe();
    }

    /** Writes {@code dir/plight.conf} from {@code text}, its {@code @DIR@} and {@code @AGENT@} filled. */
    static Path writeConf(Path dir, String text) throws IOException {
        return Confs.write(dir.resolve("plight.conf"), filled(dir, text));
    }

    /** {@code text} with its {@code @DIR@} and {@code @AGENT@} filled for a node in {@code dir}. */
    static String filled(Path dir, String text) throws IOException {
        return Confs.fill(text, Map.of("DIR", dir.toString(), "AGENT", Integer.toString(agentPort(dir))));
    }

    /** One agent port per test directory, so that a rewritten config does not move it. */
    private static synchronized int agentPort(Path dir) throws IOException {
        Integer port = AGENT_PORTS.get(dir);
        if (port == null) {
            port = Ports.free();
            AGENT_PORTS.put(dir, port);
        }
        return port;
    }

    static LiveNode start(Path dir) throws IOException, ConfigException, StoreException {
        return start(dir, CONF);
    }

    static LiveNode start(Path dir, String confText) throws IOException, ConfigException, StoreException {
        return start(dir, confText, FAST);
    }

    static LiveNode start(Path dir, String confText, Timings timings) throws IOException, ConfigException, StoreException {
        Path conf = writeConf(dir, confText);
        return new LiveNode(dir, conf, new ConfigLoader(Environment.current()).loadFile(conf), timings);
    }

    int port() {
        return probe.boundAddresses().get(0).getPort();
    }

    Path socket() {
        return daemon.socket();
    }

    Path marker(String state) {
        return config.states().byName(state).orElseThrow().file();
    }

    ControlWire connect() throws IOException {
        return ControlWire.open(socket());
    }

    /** A reload as SIGHUP asks for it: not through the control socket, but from a thread of its own. */
    Reply reloadBySignal() {
        return actions.reload(new Caller(0, ProcessHandle.current().pid(), "signal SIGHUP"));
    }

    /** The state a new probe connection is answered with. */
    RawHttp.Response probeOnce() throws IOException {
        return RawHttp.once(port());
    }

    @Override
    public void close() {
        daemon.close();
    }

    /**
     * How long a test waits for the daemon to follow a change (a marker's touch, a ttl's end): it polls markers
     * every few milliseconds here, so this only bounds how long a failing test takes.
     */
    static final Duration FOLLOW = Duration.ofSeconds(5);

    /** Waits until the probe port answers {@code code}; fails, naming {@code what}, after {@link #FOLLOW}. */
    void awaitServed(int code, String what) {
        Await.until(probes(this, code), FOLLOW, what);
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
