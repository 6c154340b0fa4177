package plight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import plight.config.Config;
import plight.config.Environment;
import plight.control.Caller;
import plight.control.ControlClient;
import plight.control.PidFile;
import plight.state.StateStore;

/** What a command runs with: the configuration, the streams, and the node, through the daemon or its files. */
record Invocation(Config config, Environment env, PrintStream out, PrintStream err, Prefetch prefetch) {

    /** How far a command may go without the daemon's socket. */
    enum Reach {
        /** Only the daemon can answer ({@code stop}, {@code reload}, {@code stats}). */
        DAEMON,
        /** A state change: through the files when a running daemon's socket is missing (it serves them within a second). */
        DAEMON_OR_FILES,
        /** Reading the state: also from the files when the socket is closed to us, since anyone may read it. */
        READ
    }

    /**
     * The node: the daemon through its socket, else the state files. Whether a daemon runs is the pidfile's lock;
     * the socket only says whether we can talk to it.
     */
    Node node(Reach reach) throws CliException {
        PidFile.Probe daemon = prefetch.daemon();
        long daemonPid = daemon instanceof PidFile.Probe.Held held ? held.pid() : -1;
        Optional<ControlClient> client;
        boolean runningButClosedToUs = false;
        try {
            client = prefetch.client();
        } catch (ControlClient.PermissionDenied e) {
            if (daemon instanceof PidFile.Probe.Free) {
                // A socket file left by a crash, closed to us; nobody holds the pidfile, so no daemon runs.
                client = Optional.empty();
            } else if (reach != Reach.READ) {
                throw new CliException(ExitCode.FAILED, e.getMessage());
            } else {
                client = Optional.empty();
                runningButClosedToUs = true;
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage());
        }
        if (client.isPresent()) {
            return new DaemonNode(client.get(), daemonPid);
        }
        boolean runningWithoutSocket = false;
        if (!runningButClosedToUs && daemon instanceof PidFile.Probe.Held) {
            // A daemon holds the pidfile but nobody listens on the socket: it is stopping (the socket closes
            // first), or the socket was removed (a tmp cleaner, an operator's rm), which only a restart mends.
            String problem = "plight (pid " + daemonPid + ") is running but its control socket "
                    + prefetch.socket() + " is missing: it is stopping, or the socket was removed (then restart it)";
            if (reach == Reach.DAEMON) {
                throw new CliException(ExitCode.FAILED, problem);
            }
            err.println("plight: warning: " + problem + "; the state files are used directly, and it serves them within a second");
            runningWithoutSocket = true;
        }
        return new StoreNode(new StateStore(config.states()), caller(), runningButClosedToUs || runningWithoutSocket);
    }

    /** The pid of a daemon that holds its pidfile while nobody listens on its socket; -1 otherwise. */
    long daemonWithoutSocket() {
        try {
            if (prefetch.client().isPresent()) return -1;
        } catch (IOException e) {
            return -1; // node() reports it
        }
        return prefetch.daemon() instanceof PidFile.Probe.Held held ? held.pid() : -1;
    }

    /** The state files, for {@code status} when the daemon goes away while answering. */
    Node files() {
        return new StoreNode(new StateStore(config.states()), caller(), false);
    }

    /** Us, as the daemon sees its callers: marker files name us the same way either path. */
    private Caller caller() {
        return new Caller(env.uid(), ProcessHandle.current().pid(), System.getProperty("user.name"));
    }
}
