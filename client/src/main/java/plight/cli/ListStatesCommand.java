package plight.cli;

import com.beust.jcommander.Parameter;

/**
 * {@code list-states}: the configured states, from the configuration alone. Each state's agent line is shown when
 * the agent port is on (or with {@code --agent}): without it the output stays the original's, byte for byte.
 */
final class ListStatesCommand extends Command {
    @Parameter(names = "--agent", description = "Also show each state's agent-check line (shown anyway when [agent] port is set)")
    boolean agent;

    @Override
    ExitCode run(Invocation in) {
        Output.listStates(in.out(), in.config().states(), agent || in.config().agent().enabled());
        return ExitCode.OK;
    }
}
