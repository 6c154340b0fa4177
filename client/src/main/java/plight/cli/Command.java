package plight.cli;

import com.beust.jcommander.Parameter;

/**
 * One CLI command: its own options (JCommander reads them, with this {@code --help}, from the object) and what
 * it does. {@link CommandTable} finds the one being run by name.
 */
abstract class Command {
    @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
    boolean help;

    abstract ExitCode run(Invocation in) throws CliException;
}
