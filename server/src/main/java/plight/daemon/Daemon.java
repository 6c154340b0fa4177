package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;
import plight.agent.AgentServer;
import plight.config.Config;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.config.Version;
import plight.control.Caller;
import plight.control.server.ControlServer;
import plight.probe.AccessLog;
import plight.probe.LiveResponses;
import plight.probe.ProbeServer;
import plight.probe.ProbeSources;
import plight.state.NodeState;
import plight.state.StateStore;
import plight.state.StoreException;
import plight.control.PidFile;

/**
 * {@code plight start}: the daemon in the foreground. Takes the pidfile, serves the state on disk on the probe
 * port, takes changes on the control socket, and on SIGTERM or SIGINT stops accepting, answers what is in
 * flight and returns. SIGHUP reloads the configuration.
 */
public final class Daemon {
    /** Probe sources silent for this long are dropped from {@code stats}. */
    private static final long FORGET_SOURCES_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final Config config;
    private final DaemonSignals signals;

    private Daemon(Config config, DaemonSignals signals) {
        this.config = config;
        this.signals = signals;
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
        Logging.start(config, true, err);
        try (pid) {
            return new Daemon(config, signals).run(pid, err);
        } catch (IOException e) {
            Logger.warn("cannot remove the pidfile {}: {}", config.pidFile(), plight.text.IoErrors.reason(e));
            return true;
        } finally {
            Logging.stop();
        }
    }

    private boolean run(PidFile pid, PrintStream err) {
        Logger.info("plight {} starting (config: {}, pid {})", Version.get(), config.describeSource(), ProcessHandle.current().pid());
        config.warnings().forEach(Logger::warn);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plight-timer");
            t.setDaemon(true);
            return t;
        });
        StateStore store = new StateStore(config.states());
        NodeState initial;
        try {
            initial = store.read();
        } catch (StoreException e) {
            // Without a state the files vouch for, nothing is safe to serve.
            Logger.error("cannot start: {}", e.getMessage());
            err.println("plight: cannot start: " + e.getMessage());
            return false;
        }
        LiveResponses responses = new LiveResponses(initial.state());
        ProbeSources sources = new ProbeSources();
        AccessLog accessLog = Logging.accessLogOn(config) ? new AccessLogWriter() : AccessLog.OFF;
        ProbeServer probe = new ProbeServer(config.web(), responses, sources, accessLog);
        AgentServer agent = config.agent().enabled() ? new AgentServer(config.agent(), responses::state) : null;
        StateKeeper keeper = new StateKeeper(store, responses::show, timer, Clock.systemUTC());
        DaemonControl actions = new DaemonControl(config, new ConfigLoader(Environment.current()), keeper, responses,
                sources, probe::openConnections, timer, signals::requestStop);
        ControlServer control = new ControlServer(config.control(), actions);
        try {
            NodeState served = keeper.start();
            probe.start();
            Logger.info("probe port {} ({}), state '{}'", probe.boundAddresses(), probe.transportName(), served.state().name());
            if (agent != null) {
                agent.start();
                Logger.info("agent-check port {}", agent.ports());
            }
            control.start();
            recordSocket(pid, control.path());
            timer.scheduleWithFixedDelay(() -> sources.forgetOlderThan(FORGET_SOURCES_MILLIS), 1, 1, TimeUnit.MINUTES);
            Caller self = new Caller(Environment.current().uid(), ProcessHandle.current().pid(), "signal SIGHUP");
            signals.onHangup(() -> {
                try {
                    timer.execute(() -> actions.reload(self));
                } catch (RejectedExecutionException stopping) {
                    // a SIGHUP while stopping has nothing left to reload
                }
            });
            Logger.info("plight is running");
            signals.awaitStop();
            Logger.info("stopping");
            return true;
        } catch (IOException | StoreException e) {
            Logger.error("cannot start: {}", e.getMessage());
            err.println("plight: cannot start: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            control.beginStop(); // waits in flight are answered, changes refused
            if (agent != null) agent.close();
            probe.close();
            keeper.close();
            timer.shutdownNow();
            // Last, so that a CLI finding the socket gone finds the pidfile released a moment later.
            control.close();
            Logger.info("plight has stopped");
        }
    }

    /** So that the CLI finds this daemon's socket even after {@code [control] socket} is edited. */
    private static void recordSocket(PidFile pid, java.nio.file.Path socket) {
        try {
            pid.recordSocket(socket);
        } catch (IOException e) {
            Logger.warn("cannot record the control socket beside the pidfile {}: {}; a CLI finds it from the configuration only",
                    pid.path(), plight.text.IoErrors.reason(e));
        }
    }
}
