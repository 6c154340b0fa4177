package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.time.Duration;
import plight.config.Durations;
import plight.state.State;

/**
 * A state's verb or name ({@code disable}, {@code disabled}): makes that state the current one. Made from the
 * word alone, so that parsing need not wait for the configuration; the state is looked up when it runs.
 */
@Parameters(separators = "=")
final class SetStateCommand extends Command {
    @Parameter(names = "--reason", description = "Why; recorded in the marker file and the audit log")
    String reason;

    @Parameter(names = "--ttl", description = "Return to the default state after this long (e.g. 30m, 2h); survives restarts")
    String ttl;

    private final String word;

    SetStateCommand(String word) {
        this.word = word;
    }

    @Override
    ExitCode run(Invocation in) throws CliException {
        State target = in.config().states().byVerbOrName(word).orElse(null);
        if (target == null) throw new IllegalStateException("not a state's verb or name: " + word); // CommandTable.knows checks
        String why = reason(reason);
        Duration after = ttl(ttl, target);
        Node node = in.node(Invocation.Reach.DAEMON_OR_FILES);
        Node.Changed changed;
        try {
            changed = node.set(target, why, after);
        } catch (Stopping s) {
            throw new CliException(ExitCode.FAILED, s.answered()
                    ? s.getMessage() + "; the state was not changed: run the command again once it has stopped"
                    : s.getMessage() + "; whether the state changed cannot be told: see 'plight status'");
        }
        if (!changed.node().state().equals(target.name())) {
            // Success means the asked state is served; anything else must not exit 0.
            throw new CliException(ExitCode.FAILED, "asked for '" + target.name() + "', but '" + changed.node().state() + "' is served");
        }
        for (String warning : changed.warnings()) {
            in.err().println("plight: warning: " + warning);
        }
        if (!node.running()) {
            in.err().println(Output.NOT_RUNNING + "; the state '" + target.name() + "' is saved and will be served when it starts");
        }
        return ExitCode.OK;
    }

    private static String reason(String reason) throws CliException {
        if (reason == null) return null;
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (c >= 0x20 && c != 0x7f) continue;
            throw new CliException(ExitCode.USAGE, "--reason must be one line of text without control characters");
        }
        if (reason.length() > 1024) {
            throw new CliException(ExitCode.USAGE, "--reason is longer than 1024 characters");
        }
        return reason.isBlank() ? null : reason.strip();
    }

    private static Duration ttl(String ttl, State target) throws CliException {
        if (ttl == null) return null;
        if (target.isDefault()) {
            throw new CliException(ExitCode.USAGE, "--ttl returns the node to the default state '" + target.name()
                    + "'; it applies to the other states only");
        }
        try {
            return Durations.parsePositive("--ttl", ttl);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }
}
