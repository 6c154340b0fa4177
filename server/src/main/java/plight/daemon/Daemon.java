package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;
import plight.agent.AgentServer;
import plight.config.Config;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.config.Version;
import plight.control.Caller;
import plight.control.ControlServer;
import plight.probe.AccessLog;
import plight.probe.LiveResponses;
import plight.probe.ProbeServer;
import plight.probe.ProbeSources;
import plight.state.NodeState;
import plight.state.StateStore;
import sun.misc.Signal;

/**
 * {@code plight start}: the daemon in the foreground. Takes the pidfile, serves the state on disk on the probe
 * port, takes changes on the control socket, and on SIGTERM or SIGINT stops accepting, answers what is in
 * flight and returns. SIGHUP reloads the configuration.
 */
public final class Daemon {
    /** Probe sources silent for this long are dropped from {@code stats}. */
    private static final long FORGET_SOURCES_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final Config config;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    private Daemon(Config config) {
        this.config = config;
    }

    /** Runs until a stop signal or request; {@code false} when the daemon could not start (the reason is on {@code err}). */
    public static boolean runForeground(Config config, PrintStream err) {
        PidFile pid;
        try {
            pid = PidFile.acquire(config.pidFile());
        } catch (PidFile.AlreadyRunningException e) {
            err.println("plight: " + e.getMessage());
            return false;
        } catch (IOException e) {
            err.println("plight: cannot take the pidfile " + config.pidFile() + ": " + StateStore.reason(e));
            return false;
        }
        Logging.start(config, true, err);
        try (pid) {
            return new Daemon(config).run(err);
        } catch (IOException e) {
            Logger.warn("cannot remove the pidfile {}: {}", config.pidFile(), e.getMessage());
            return true;
        } finally {
            Logging.stop();
        }
    }

    private boolean run(PrintStream err) {
        Logger.info("plight {} starting (config: {}, pid {})", Version.get(), config.describeSource(), ProcessHandle.current().pid());
        config.warnings().forEach(Logger::warn);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plight-timer");
            t.setDaemon(true);
            return t;
        });
        StateStore store = new StateStore(config.states());
        NodeState initial = store.read();
        LiveResponses responses = new LiveResponses(initial.state());
        ProbeSources sources = new ProbeSources();
        AccessLog accessLog = Logging.accessLogOn(config) ? new AccessLogWriter() : AccessLog.OFF;
        ProbeServer probe = new ProbeServer(config.web(), responses, sources, accessLog);
        AgentServer agent = config.agent().enabled() ? new AgentServer(config.agent(), responses::state) : null;
        StateKeeper keeper = new StateKeeper(store, responses::show, timer, Clock.systemUTC());
        DaemonControl actions = new DaemonControl(config, new ConfigLoader(Environment.current()), keeper, responses,
                sources, probe::openConnections, timer, stopRequested::countDown);
        ControlServer control = new ControlServer(config.control(), actions);
        try {
            NodeState served = keeper.start();
            probe.start();
            Logger.info("probe port {} ({}), state '{}'", plight.probe.Addresses.of(probe.boundAddresses()), probe.transportName(), served.state().name());
            if (agent != null) {
                agent.start();
                Logger.info("agent-check port {}", plight.probe.Addresses.listening(config.agent().hosts(), agent.ports()));
            }
            control.start();
            timer.scheduleWithFixedDelay(() -> sources.forgetOlderThan(FORGET_SOURCES_MILLIS), 1, 1, TimeUnit.MINUTES);
            Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
            Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
            Caller self = new Caller(Environment.current().uid(), ProcessHandle.current().pid(), "signal SIGHUP");
            Signal.handle(new Signal("HUP"), s -> timer.execute(() -> actions.reload(self)));
            Logger.info("plight is running");
            stopRequested.await();
            Logger.info("stopping");
            return true;
        } catch (IOException e) {
            Logger.error("cannot start: {}", e.getMessage());
            err.println("plight: cannot start: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            control.close();
            if (agent != null) agent.close();
            probe.close();
            keeper.close();
            timer.shutdownNow();
            Logger.info("plight has stopped");
        }
    }
}
