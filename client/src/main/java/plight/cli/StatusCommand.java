package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;

/** {@code status}: the current state, from the daemon or, when it is down or closed to us, from the state files. */
@Parameters(commandDescription = "Show the current state")
final class StatusCommand extends Command {
    @Parameter(names = "--json", description = "Print one JSON object")
    boolean json;

    @Override
    ExitCode run(Invocation in) throws CliException {
        Node node = in.node(Invocation.Reach.READ);
        StatusView state;
        boolean running = node.running();
        try {
            state = node.status();
        } catch (Stopping s) {
            in.err().println("plight: warning: " + s.getMessage() + "; the state files are shown");
            state = in.files().status();
            running = false;
        }
        if (json) {
            Output.statusJson(in.out(), state, running);
        } else {
            Output.status(in.out(), state, running);
        }
        return ExitCode.OK;
    }
}
