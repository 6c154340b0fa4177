package plight.cli;

import plight.control.Reply;

/** {@code reload}: the running daemon re-reads its configuration. */
final class ReloadCommand extends Command {
    @Override
    ExitCode run(Invocation in) throws CliException {
        Reply reply = in.node(Invocation.Reach.DAEMON).ask("reload", DaemonNode.TIMEOUT);
        in.out().println("Reloaded: " + reply.get("config"));
        for (String restart : reply.all("restart-needed")) {
            in.err().println("plight: warning: " + restart + " changed; it takes effect at the next restart");
        }
        return ExitCode.OK;
    }
}
