package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.time.Duration;
import java.util.List;
import plight.config.Durations;
import plight.text.Json;
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

    @Parameter(names = "--wait", description = "After the change, wait until every load balancer that probed within the window confirms it;"
            + " a value (as in =2m) sets the timeout, default 60s")
    String wait;

    @Parameter(names = "--fall", description = "With the wait: answers in a row that confirm a source without a view of its own (default 3)")
    Integer fall;

    @Parameter(names = "--window", description = "With the wait: wait for the sources that probed within this (default 1m)")
    String window;

    @Parameter(names = "--require-sources", description = "With the wait: fail unless at least N sources confirm (default 0: none probing is a warning)")
    Integer requireSources;

    @Parameter(names = "--json", description = "Print one JSON object: the state served and, with the wait, each source's confirmation")
    boolean json;

    /** {@code --wait} without a value: JCommander has no optional values, so {@link #normalize} spells the default. */
    static final String DEFAULT_WAIT = "60s";

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
        StateWait waiting = waitOptions(target);
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
        if (waiting == null) {
            if (json) in.out().print(json(changed, node.running(), "null"));
            return ExitCode.OK;
        }
        if (!node.running()) {
            // Nothing serves the state, so no load balancer can confirm it.
            CliException cannot = new CliException(ExitCode.FAILED, "cannot wait for the load balancers: plight is not running");
            if (json) in.out().print(json(changed, false, StateWait.json(StateWait.Outcome.notRunning(cannot))));
            throw cannot;
        }
        boolean terminal = !json && System.console() != null && in.out() == System.out;
        StateWait.Outcome o = waiting.run(node, terminal ? in.out() : null);
        if (terminal) in.out().print("\r\033[K");
        if (json) {
            in.out().print(json(changed, true, StateWait.json(o)));
        }
        if (o.failure() != null) throw o.failure(); // superseded, stopping, refused: as without --json
        switch (o.result()) {
            case CONFIRMED -> {
                if (!json) {
                    in.out().println("'" + target.name() + "' confirmed by " + o.confirmed().size() + " probe source(s) in "
                            + StateWait.seconds(o.elapsedMillis()) + ": " + String.join(", ",
                            o.confirmed().stream().map(s -> StateWait.describe(s.line())).toList()));
                }
                return ExitCode.OK;
            }
            case NO_SOURCES -> {
                in.err().println("plight: warning: no load balancer has probed this node within the last " + window()
                        + "; nothing confirmed '" + target.name() + "' (--require-sources N makes this an error)");
                return ExitCode.OK;
            }
            default -> {
                List<String> laggards = o.lagging().stream().map(s -> StateWait.lastSaw(s.line())).toList();
                String msg = "timed out after " + StateWait.seconds(o.elapsedMillis()) + " waiting for the load balancers to confirm '"
                        + target.name() + "': " + o.confirmed().size() + " confirmed";
                if (requireSources != null && o.confirmed().size() < requireSources) msg += " of the " + requireSources + " required";
                if (!laggards.isEmpty()) msg += "; not confirmed: " + String.join("; ", laggards);
                throw new CliException(ExitCode.FAILED, msg);
            }
        }
    }

    /** Rewrites a bare {@code --wait} after this command's word to {@code --wait=60s}. */
    static String[] normalize(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i].equals("--wait")) out[i] = "--wait=" + DEFAULT_WAIT;
        }
        return out;
    }

    private String window() {
        return window == null ? "1m" : window;
    }

    /** The wait asked for, or {@code null}; the other wait options without {@code --wait} are a usage error. */
    private StateWait waitOptions(State target) throws CliException {
        if (wait == null) {
            String stray = fall != null ? "--fall" : window != null ? "--window" : requireSources != null ? "--require-sources" : null;
            if (stray != null) throw new CliException(ExitCode.USAGE, stray + " applies only with --wait");
            return null;
        }
        if (fall != null && fall < 1) throw new CliException(ExitCode.USAGE, "--fall must be at least 1, not " + fall);
        if (requireSources != null && requireSources < 0) {
            throw new CliException(ExitCode.USAGE, "--require-sources must be 0 or more, not " + requireSources);
        }
        try {
            Duration timeout = Durations.parsePositive("--wait", wait);
            Duration within = Durations.parsePositive("--window", window());
            return new StateWait(target.name(), fall == null ? 3 : fall, timeout, within, requireSources == null ? 0 : requireSources);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    private static String json(Node.Changed changed, boolean running, String wait) {
        StatusView v = changed.node();
        StringBuilder sb = new StringBuilder("{\"running\":").append(running)
                .append(",\"state\":").append(Json.quote(v.state())).append(",\"code\":").append(v.code())
                .append(",\"message\":").append(Json.quote(v.message())).append(",\"warnings\":[");
        String sep = "";
        for (String w : changed.warnings()) {
            sb.append(sep).append(Json.quote(w));
            sep = ",";
        }
        return sb.append("],\"wait\":").append(wait).append("}\n").toString();
    }

    private static String reason(String reason) throws CliException {
        if (reason == null) return null;
        if (reason.indexOf('\t') >= 0 || plight.text.Controls.indexOf(reason) >= 0) {
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
