package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.util.List;
import plight.control.Reply;

/** {@code stats}: probes served, connections, probe sources; or, with {@code --format prometheus}, what /metrics serves. */
@Parameters(separators = "=", commandDescription = "Show probes served, open connections and probe sources")
final class StatsCommand extends Command {
    private static final List<String> FORMATS = List.of("text", "json", "prometheus");

    @Parameter(names = "--json", description = "Print one JSON object")
    boolean json;

    @Parameter(names = "--format", description = "text (the default), json, or prometheus (the text format of /metrics, for node_exporter's textfile collector)")
    String format = "text";

    @Override
    ExitCode run(Invocation in) throws CliException {
        if (!FORMATS.contains(format)) {
            throw new CliException(ExitCode.USAGE, "unknown format '" + format + "' (valid: " + String.join(", ", FORMATS) + ")");
        }
        Node node = in.node(Invocation.Reach.DAEMON);
        if (format.equals("prometheus")) {
            node.ask("metrics", DaemonNode.TIMEOUT).all("line").forEach(in.out()::println);
            return ExitCode.OK;
        }
        Reply reply = node.ask("stats", DaemonNode.TIMEOUT);
        in.out().print(json || format.equals("json") ? Output.statsJson(reply) : Output.stats(reply));
        return ExitCode.OK;
    }
}
