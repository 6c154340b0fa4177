package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.tinylog.Logger;
import plight.config.Config;
import plight.state.NodeState;
import plight.state.StateStore;
import sun.misc.Signal;

/**
 * {@code plight start}: the daemon in the foreground. Takes the pidfile, serves the state on disk, follows
 * changes to it, and on SIGTERM or SIGINT stops accepting, answers what is in flight and returns.
 */
public final class Daemon {
    private final Config config;
    private final StateStore store;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    private Daemon(Config config) {
        this.config = config;
        this.store = new StateStore(config.states());
    }

    /** Runs until a stop signal; {@code false} when the daemon could not start (the reason is on {@code err}). */
    public static boolean runForeground(Config config, PrintStream err) {
        PidFile pid;
        try {
            pid = PidFile.acquire(config.pidFile());
        } catch (PidFile.AlreadyRunningException e) {
            err.println("plight: " + e.getMessage());
            return false;
        } catch (IOException e) {
            err.println("plight: cannot take the pidfile " + config.pidFile() + ": " + plight.state.StateStore.reason(e));
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
        Logger.info("plight {} starting (config: {})", version(), config.describeSource());
        config.warnings().forEach(Logger::warn);
        NodeState initial = store.read();
        Logger.info("state at start: {}", initial.state().name());
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plight-timer");
            t.setDaemon(true);
            return t;
        });
        try (StateKeeper keeper = new StateKeeper(store, s -> { }, timer, java.time.Clock.systemUTC())) {
            keeper.start();
            Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
            Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
            stopRequested.await();
            Logger.info("stopping");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timer.shutdownNow();
        }
        Logger.info("plight has stopped");
        return true;
    }

    static String version() {
        String v = Daemon.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
