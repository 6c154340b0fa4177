package plight.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalLong;
import plight.config.Config;
import plight.daemon.Daemon;
import plight.daemon.PidFile;
import plight.state.NodeState;
import plight.state.State;

/** One method per command, each returning the exit status. */
final class Commands {
    private final Config config;
    private final Node node;
    private final PrintStream out;
    private final PrintStream err;

    Commands(Config config, Node node, PrintStream out, PrintStream err) {
        this.config = config;
        this.node = node;
        this.out = out;
        this.err = err;
    }

    ExitCode start() {
        return Daemon.runForeground(config, err) ? ExitCode.OK : ExitCode.FAILED;
    }

    ExitCode stop() throws CliException {
        OptionalLong pid = PidFile.runningPid(config.pidFile());
        if (pid.isEmpty() || pid.getAsLong() <= 0) {
            throw new CliException(ExitCode.NOT_RUNNING, "plight is not running (no daemon holds " + config.pidFile() + ")");
        }
        ProcessHandle daemon = ProcessHandle.of(pid.getAsLong()).orElse(null);
        if (daemon == null) {
            return ExitCode.OK;
        }
        if (!daemon.destroy()) {
            throw new CliException(ExitCode.FAILED, "cannot signal plight (pid " + pid.getAsLong() + "): permission denied");
        }
        try {
            daemon.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CliException(ExitCode.FAILED, "plight (pid " + pid.getAsLong() + ") did not stop within 10s");
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new CliException(ExitCode.FAILED, "interrupted while waiting for plight to stop");
        }
        return ExitCode.OK;
    }

    ExitCode status(boolean json) throws CliException {
        NodeState state = node.status();
        if (json) {
            Output.statusJson(out, state, node.running());
        } else {
            Output.status(out, state, node.running());
        }
        return ExitCode.OK;
    }

    ExitCode listStates() {
        Output.listStates(out, config.states());
        return ExitCode.OK;
    }

    ExitCode set(State target, String reason, Duration ttl) throws CliException {
        node.set(target, reason, ttl);
        if (!node.running()) {
            err.println(Output.NOT_RUNNING + "; the state '" + target.name() + "' is saved and will be served when it starts");
        }
        return ExitCode.OK;
    }
}
