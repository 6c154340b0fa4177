package plight.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import plight.config.Config;
import plight.control.Reply;
import plight.daemon.PidFile;
import plight.state.State;

/** The commands that talk to the node, one method each, each returning the exit status. */
final class Commands {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

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

    ExitCode stop() throws CliException {
        OptionalLong pid = PidFile.runningPid(config.pidFile());
        node.ask("stop", DaemonNode.TIMEOUT);
        if (pid.isPresent() && pid.getAsLong() > 0) {
            ProcessHandle daemon = ProcessHandle.of(pid.getAsLong()).orElse(null);
            if (daemon != null) {
                try {
                    daemon.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new CliException(ExitCode.FAILED, "plight (pid " + pid.getAsLong() + ") did not exit within "
                            + STOP_TIMEOUT.toSeconds() + "s");
                } catch (InterruptedException | ExecutionException e) {
                    throw new CliException(ExitCode.FAILED, "interrupted while waiting for plight to exit");
                }
            }
        }
        return ExitCode.OK;
    }

    ExitCode status(boolean json) throws CliException {
        StatusView state = node.status();
        if (json) {
            Output.statusJson(out, state, node.running());
        } else {
            Output.status(out, state, node.running());
        }
        return ExitCode.OK;
    }

    ExitCode set(State target, String reason, Duration ttl) throws CliException {
        Node.Changed changed = node.set(target, reason, ttl);
        if (!changed.node().state().equals(target.name())) {
            // Success means the asked state is served; anything else must not exit 0.
            throw new CliException(ExitCode.FAILED, "asked for '" + target.name() + "', but '" + changed.node().state() + "' is served");
        }
        for (String warning : changed.warnings()) {
            err.println("plight: warning: " + warning);
        }
        if (!node.running()) {
            err.println(Output.NOT_RUNNING + "; the state '" + target.name() + "' is saved and will be served when it starts");
        }
        return ExitCode.OK;
    }

    ExitCode reload() throws CliException {
        Reply reply = node.ask("reload", DaemonNode.TIMEOUT);
        out.println("Reloaded: " + reply.get("config"));
        for (String restart : reply.all("restart-needed")) {
            err.println("plight: warning: " + restart + " changed; it takes effect at the next restart");
        }
        return ExitCode.OK;
    }

    ExitCode stats(boolean json) throws CliException {
        Reply reply = node.ask("stats", DaemonNode.TIMEOUT);
        if (json) {
            out.print(Output.statsJson(reply));
        } else {
            out.print(Output.stats(reply));
        }
        return ExitCode.OK;
    }
}
