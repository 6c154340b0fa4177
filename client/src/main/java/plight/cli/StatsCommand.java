package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import plight.control.Reply;

/** {@code stats}: probes served, connections, probe sources. */
@Parameters(commandDescription = "Show probes served, open connections and probe sources")
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
