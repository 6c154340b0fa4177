package plight.cli;

import java.io.PrintStream;
import java.time.Duration;
import plight.control.Reply;
import plight.state.State;

/** The commands that talk to the node, one method each, each returning the exit status. */
final class Commands {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Node node;
    /** The state files, for {@code status} when the daemon goes away while answering. */
    private final Node files;
    private final PrintStream out;
    private final PrintStream err;

    Commands(Node node, Node files, PrintStream out, PrintStream err) {
        this.node = node;
        this.files = files;
        this.out = out;
        this.err = err;
    }

    ExitCode stop() throws CliException {
        long pid;
        boolean alreadyStopping = false;
        try {
            pid = node.stop();
        } catch (Stopping s) {
            if (s.pid() < 0) {
                throw new CliException(ExitCode.FAILED, s.getMessage() + "; without its pidfile, whether it has exited cannot be told");
            }
            pid = s.pid();
            alreadyStopping = true;
        }
        if (pid > 0) awaitExit(pid);
        if (alreadyStopping) err.println("plight: plight was already stopping; it has stopped");
        return ExitCode.OK;
    }

    private static void awaitExit(long pid) throws CliException {
        if (!DaemonProcess.awaitExit(pid, STOP_TIMEOUT)) {
            throw new CliException(ExitCode.FAILED, "plight (pid " + pid + ") did not exit within " + STOP_TIMEOUT.toSeconds() + "s");
        }
    }

    ExitCode status(boolean json) throws CliException {
        StatusView state;
        boolean running = node.running();
        try {
            state = node.status();
        } catch (Stopping s) {
            err.println("plight: warning: " + s.getMessage() + "; the state files are shown");
            state = files.status();
            running = false;
        }
        if (json) {
            Output.statusJson(out, state, running);
        } else {
            Output.status(out, state, running);
        }
        return ExitCode.OK;
    }

    ExitCode set(State target, String reason, Duration ttl) throws CliException {
        Node.Changed changed;
        try {
            changed = node.set(target, reason, ttl);
        } catch (Stopping s) {
            throw new CliException(ExitCode.FAILED, s.answered()
                    ? s.getMessage() + "; the state was not changed: run the command again once it has stopped"
                    : s.getMessage() + "; whether the state changed cannot be told: see 'plight status'");
        }
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

    ExitCode stats(boolean json, String format) throws CliException {
        if (!java.util.List.of("text", "json", "prometheus").contains(format)) {
            throw new CliException(ExitCode.USAGE, "unknown format '" + format + "' (valid: text, json, prometheus)");
        }
        if (format.equals("prometheus")) {
            Reply reply = node.ask("metrics", DaemonNode.TIMEOUT);
            reply.all("line").forEach(out::println);
            return ExitCode.OK;
        }
        Reply reply = node.ask("stats", DaemonNode.TIMEOUT);
        if (json || format.equals("json")) {
            out.print(Output.statsJson(reply));
        } else {
            out.print(Output.stats(reply));
        }
        return ExitCode.OK;
    }
}
