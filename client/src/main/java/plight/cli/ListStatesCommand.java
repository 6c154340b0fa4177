package plight.cli;

/** {@code list-states}: the configured states, from the configuration alone. */
final class ListStatesCommand extends Command {
    @Override
    ExitCode run(Invocation in) {
        Output.listStates(in.out(), in.config().states());
        return ExitCode.OK;
    }
}
