package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import plight.log.Log;
import plight.agent.AgentServer;
import plight.config.Config;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.config.Version;
import plight.control.Caller;
import plight.control.PidFile;
import plight.control.server.ControlServer;
import plight.metrics.MetricsServer;
import plight.metrics.NodeMetrics;
import plight.metrics.Reloads;
import plight.metrics.ServedCounts;
import plight.metrics.StateChanges;
import plight.probe.AccessLog;
import plight.probe.LiveResponses;
import plight.probe.ProbeServer;
import plight.probe.ProbeSources;
import plight.probe.Transport;
import plight.probe.h2.H2Server;
import plight.state.NodeState;
import plight.state.StateStore;
import plight.state.StoreException;

/**
 * The daemon's parts wired together: state keeper, probe port, agent-check port, metrics port, control socket
 * and the timer they share. Built in that order, started by {@link #start()}, closed in the reverse order by {@link #close()}.
 * {@link #runForeground} is {@code plight start}: the pidfile, logging and signals around one of these.
 */
public final class Daemon implements AutoCloseable {
    private final Config config;
    private final Timings timings;
    private final ScheduledExecutorService timer;
    private final LiveResponses responses;
    private final ProbeSources sources;
    private final ProbeServer probe;
    private final H2Server http2;
    /** The I/O transport of every port, chosen once from {@code [webserver] transport}. */
    private final Transport.Selection transport;
    /** {@code null} when {@code [agent]} is off. */
    private final AgentServer agent;
    /** {@code null} when {@code [metrics]} is off. */
    private final MetricsServer metricsServer;
    private final StateKeeper keeper;
    private final DaemonControl actions;
    private final ControlServer control;
    private final SystemdNotifier systemd;
    private boolean closed;

    /**
     * Builds the parts; nothing listens yet.
     *
     * @param stopRequested what a {@code stop} on the control socket runs
     * @throws StoreException when the files cannot tell the state: without one they vouch for, nothing is safe to serve
     */
    public Daemon(Config config, Timings timings, AccessLog accessLog, Runnable stopRequested) throws StoreException {
        this(config, timings, accessLog, SystemdNotifier.NONE, stopRequested);
    }

    /** As {@link #Daemon(Config, Timings, AccessLog, Runnable)}, telling {@code systemd} about reloads. */
    Daemon(Config config, Timings timings, AccessLog accessLog, SystemdNotifier systemd, Runnable stopRequested)
            throws StoreException {
        this.config = config;
        this.systemd = systemd;
        this.timings = timings;
        StateStore store = new StateStore(config.states());
        NodeState initial = store.read();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plight-timer");
            t.setDaemon(true);
            return t;
        });
        responses = new LiveResponses(initial.state());
        sources = new ProbeSources();
        http2 = new H2Server(responses, sources, config.grpc(), config.web().requestTimeout(), config.web().idleTimeout(),
                H2Server.Limits.forMaxConnections(config.web().maxConnections()));
        transport = Transport.select(config.web().transport());
        probe = new ProbeServer(config.web(), responses, sources, accessLog, transport.transport(), http2);
        ServedCounts agentServed = new ServedCounts();
        agent = config.agent().enabled() ? new AgentServer(config.agent(), responses::state, AgentServer.DRAIN_TIMEOUT,
                (remote, state) -> {
                    agentServed.served(state.name());
                    sources.agentServed(remote, state);
                }) : null;
        StateChanges changes = new StateChanges();
        Reloads reloads = new Reloads();
        keeper = new StateKeeper(store, responses::show, timer, Clock.systemUTC(), timings.markerPoll(), changes);
        NodeMetrics metrics = new NodeMetrics(new NodeMetrics.Sources(keeper::table, keeper::current, responses::served,
                agentServed::snapshot, () -> Math.max(0, probe.openConnections() - http2.openH2() - http2.openGrpc()), sources,
                probe.rejections(), changes, reloads, new NodeMetrics.Http2(http2::h2Served, http2::grpcServed,
                http2::openH2, http2::openGrpc)));
        metricsServer = config.metrics().enabled() ? new MetricsServer(config.metrics(), config.web().requestTimeout(),
                config.web().idleTimeout(), metrics) : null;
        actions = new DaemonControl(config, new ConfigLoader(Environment.current()), keeper, responses, sources,
                probe::openConnections, timer, stopRequested, timings.waitPoll(), systemd, reloads, metrics::text);
        control = new ControlServer(config.control(), actions, timings.controlIdle());
    }

    /** Builds and starts a daemon; on any failure, closes what was started and rethrows. */
    public static Daemon start(Config config, Timings timings, AccessLog accessLog, Runnable stopRequested)
            throws IOException, StoreException {
        Daemon daemon = new Daemon(config, timings, accessLog, stopRequested);
        try {
            daemon.start();
        } catch (IOException | StoreException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    /** Serves the state on disk, then opens the probe port, the agent port, the metrics port and the control socket, in that order. */
    public void start() throws IOException, StoreException {
        NodeState served = keeper.start();
        probe.start();
        Log.info("transport {}", transport);
        Log.info("probe port {} ({}), state '{}'", plight.probe.Addresses.of(probe.boundAddresses()), probe.transportName(), served.state().name());
        if (agent != null) {
            agent.start(transport.transport());
            Log.info("agent-check port {}", plight.probe.Addresses.listening(config.agent().hosts(), agent.ports()));
        }
        if (metricsServer != null) {
            metricsServer.start(transport.transport());
            Log.info("metrics port {}", plight.probe.Addresses.listening(config.metrics().hosts(), metricsServer.ports()));
        }
        control.start();
        // Checked as often as sources are forgotten, at most once a minute.
        long every = Math.min(timings.forgetSources().toMillis(), TimeUnit.MINUTES.toMillis(1));
        timer.scheduleWithFixedDelay(() -> sources.forgetOlderThan(timings.forgetSources().toMillis()), every, every,
                TimeUnit.MILLISECONDS);
    }

    /** A reload as SIGHUP asks for it: on the timer's thread, not the caller's. */
    public void reloadLater(Caller caller) {
        try {
            timer.execute(() -> actions.reload(caller));
        } catch (RejectedExecutionException stopping) {
            // a SIGHUP while stopping has nothing left to reload
        }
    }

    /** Closes in the reverse order of start; the control socket goes last. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        control.beginStop(); // waits in flight are answered, changes refused
        if (metricsServer != null) metricsServer.close();
        if (agent != null) agent.close();
        probe.close();
        keeper.close();
        timer.shutdownNow();
        // Last, so that a CLI finding the socket gone finds the pidfile released a moment later.
        control.close();
        systemd.close();
    }

    public Config config() {
        return config;
    }

    public Path socket() {
        return control.path();
    }

    public ProbeServer probe() {
        return probe;
    }

    /** The agent-check ports bound, in {@code [agent] host} order; empty when the agent port is off. */
    public List<Integer> agentPorts() {
        return agent == null ? List.of() : agent.ports();
    }

    /** The metrics ports bound, in {@code [metrics] host} order; empty when the metrics port is off. */
    public List<Integer> metricsPorts() {
        return metricsServer == null ? List.of() : metricsServer.ports();
    }

    public ProbeSources sources() {
        return sources;
    }

    StateKeeper keeper() {
        return keeper;
    }

    DaemonControl actions() {
        return actions;
    }

    /** Runs until a stop signal or request; {@code false} when the daemon could not start (the reason is on {@code err}). */
    public static boolean runForeground(Config config, PrintStream err) {
        DaemonSignals signals = DaemonSignals.install(); // first: a signal during start-up must not end us half-started
        PidFile pid;
        try {
            pid = PidFile.acquire(config.pidFile());
        } catch (PidFile.AlreadyRunningException e) {
            err.println("plight: " + e.getMessage());
            return false;
        } catch (IOException e) {
            err.println("plight: cannot take the pidfile " + config.pidFile() + ": " + plight.text.IoErrors.reason(e));
            return false;
        }
        plight.log.LogThread log = Logging.start(config, true, err);
        try (pid) {
            return run(config, signals, pid, err);
        } catch (IOException e) {
            Log.warn("cannot remove the pidfile {}: {}", config.pidFile(), plight.text.IoErrors.reason(e));
            return true;
        } finally {
            Logging.stop(log);
        }
    }

    private static boolean run(Config config, DaemonSignals signals, PidFile pid, PrintStream err) {
        Log.event("start").field("version", Version.get()).field("config", config.describeSource())
                .field("pid", ProcessHandle.current().pid()).info("plight {} starting (config: {}, pid {})", Version.get(), config.describeSource(), ProcessHandle.current().pid());
        if (Environment.current().isRoot()) {
            // Nothing plight does needs root; the service files run it as its own user.
            Log.warn("running as root: plight needs no privileges; run it as its own user (the service files use User=plight)");
        }
        config.warnings().forEach(Log::warn);
        AccessLog accessLog = Logging.accessLogOn(config) ? new AccessLogWriter(config.web().accessLog().json()) : AccessLog.OFF;
        Daemon daemon;
        try {
            daemon = new Daemon(config, Timings.DEFAULT, accessLog, SystemdNotifier.fromEnvironment(Environment.current()),
                    signals::requestStop);
        } catch (StoreException e) {
            Log.error("cannot start: {}", e.getMessage());
            err.println("plight: cannot start: " + e.getMessage());
            return false;
        }
        try {
            daemon.start();
            recordSocket(pid, daemon.socket());
            Caller self = new Caller(Environment.current().uid(), ProcessHandle.current().pid(), "signal SIGHUP");
            signals.onHangup(() -> daemon.reloadLater(self));
            Log.event("start").info("plight is running");
            daemon.systemd.ready();
            signals.awaitStop();
            Log.event("stop").info("stopping");
            daemon.systemd.stopping();
            return true;
        } catch (IOException | StoreException e) {
            Log.error("cannot start: {}", e.getMessage());
            err.println("plight: cannot start: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            daemon.close();
            Log.event("stop").info("plight has stopped");
        }
    }

    /** So that the CLI finds this daemon's socket even after {@code [control] socket} is edited. */
    private static void recordSocket(PidFile pid, Path socket) {
        try {
            pid.recordSocket(socket);
        } catch (IOException e) {
            Log.warn("cannot record the control socket beside the pidfile {}: {}; a CLI finds it from the configuration only",
                    pid.path(), plight.text.IoErrors.reason(e));
        }
    }
}
