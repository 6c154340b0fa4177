package plight.cli;

import plight.config.Version;

/** {@code version}. */
final class VersionCommand extends Command {
    static final String LINE = "plight " + Version.get();

    @Override
    ExitCode run(Invocation in) {
        in.out().println(LINE);
        return ExitCode.OK;
    }
}
