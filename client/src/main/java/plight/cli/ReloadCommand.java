package plight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import plight.control.ControlClient;
import plight.control.PidFile;
import plight.control.Reply;

/**
 * {@code reload}: the running daemon re-reads its configuration. The daemon checks the file, not the CLI: a
 * refusal is then recorded by the daemon ({@code plight_config_last_reload_successful}, a {@code reload} log
 * event) whichever way the reload came, and reported here as a file the CLI cannot load is (exit 78).
 */
final class ReloadCommand extends Command {
    @Override
    ExitCode run(Invocation in) throws CliException {
        return reload(in.node(Invocation.Reach.DAEMON), in.out(), in.err());
    }

    /**
     * The CLI's own configuration does not load: still asks the daemon named by the file (which reads it, refuses it
     * and records that); with no daemon to reach, the file's error is all there is to say.
     */
    ExitCode runDespite(CliException badConfig, Prefetch prefetch, PrintStream out, PrintStream err) throws CliException {
        Optional<ControlClient> client;
        try {
            client = prefetch.client();
        } catch (IOException e) {
            throw badConfig;
        }
        if (client.isEmpty()) throw badConfig;
        long pid = prefetch.daemon() instanceof PidFile.Probe.Held held ? held.pid() : -1;
        ExitCode code = reload(new DaemonNode(client.get(), pid), out, err);
        // The daemon read a file of its own, which loaded: this one still has an error.
        err.println("plight: warning: " + badConfig.getMessage());
        return code;
    }

    private static ExitCode reload(Node node, PrintStream out, PrintStream err) throws CliException {
        Reply reply = node.ask("reload", DaemonNode.TIMEOUT);
        out.println("Reloaded: " + reply.get("config"));
        for (String restart : reply.all("restart-needed")) {
            err.println("plight: warning: " + restart + " changed; it takes effect at the next restart");
        }
        return ExitCode.OK;
    }
}
