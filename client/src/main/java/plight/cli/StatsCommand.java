package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import plight.control.Reply;

/** {@code stats}: probes served, connections, probe sources. */
// The description is status's: both commands once shared one options class, and --help prints it.
@Parameters(commandDescription = "Show the current state")
final class StatsCommand extends Command {
    @Parameter(names = "--json", description = "Print one JSON object")
    boolean json;

    @Override
    ExitCode run(Invocation in) throws CliException {
        Reply reply = in.node(Invocation.Reach.DAEMON).ask("stats", DaemonNode.TIMEOUT);
        in.out().print(json ? Output.statsJson(reply) : Output.stats(reply));
        return ExitCode.OK;
    }
}
