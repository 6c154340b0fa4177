package plight.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import plight.state.State;
import plight.state.StateTable;

/**
 * The CLI's commands by name: the fixed ones (all of them in {@link plight.config.ReservedCommands#NAMES}, which a
 * state's verb may not take), and any state's verb or name. A plain switch: nothing is reflected over or loaded
 * for the commands not being run.
 */
final class CommandTable {
    /** A fixed command: its name, its line in {@code --help}, and whether it runs without the daemon. */
    record Entry(String name, String description, boolean local) {
    }

    /** In help order; the state verbs go between {@code stats} and {@code version}. */
    static final List<Entry> FIXED = List.of(
            new Entry("start", "run the daemon in the foreground", true),
            new Entry("stop", "stop the running daemon", false),
            new Entry("status", "show the current state [--json]", false),
            new Entry("list-states", "list the configured states", true),
            new Entry("reload", "make the running daemon re-read its configuration", false),
            new Entry("stats", "probes served, connections, probe sources and each load balancer's view [--json | --format prometheus]", false),
            new Entry("wait", "wait drained [--port N ...] [--max M] [--timeout T] [--lb]: until connections and LB sessions drain", false),
            new Entry("version", "print the version", true));

    private CommandTable() {
    }

    /**
     * The command object for {@code word}, before the configuration is known: a fixed command, else a state
     * change whose state {@link #knows} must confirm.
     */
    static Command find(String word) {
        return switch (word) {
            case "start" -> new StartCommand();
            case "stop" -> new StopCommand();
            case "status" -> new StatusCommand();
            case "list-states" -> new ListStatesCommand();
            case "reload" -> new ReloadCommand();
            case "stats" -> new StatsCommand();
            case "wait" -> new WaitCommand();
            case "version" -> new VersionCommand();
            default -> new SetStateCommand(word);
        };
    }

    /** Whether {@code word} is a command with this configuration: a fixed one or a state's verb or name. */
    static boolean knows(String word, StateTable states) {
        return entry(word) != null || states.byVerbOrName(word).isPresent();
    }

    /** Whether {@code word} is a command that never talks to the daemon. */
    static boolean isLocal(String word) {
        Entry e = entry(word);
        return e != null && e.local();
    }

    /** Every command with its {@code --help} line, in help order. */
    static Map<String, String> descriptions(StateTable states) {
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (Entry e : FIXED) {
            if (e.name().equals("version")) {
                for (State s : states.states()) {
                    descriptions.put(s.verb(), "set the state '" + s.name() + "' (" + s.code() + " " + s.message() + ")"
                            + (s.isDefault() ? ", the default" : "") + " [--reason TEXT] [--ttl DURATION] [--wait[=TIMEOUT]] [--json]");
                }
            }
            descriptions.put(e.name(), e.description());
        }
        return descriptions;
    }

    private static Entry entry(String word) {
        for (Entry e : FIXED) {
            if (e.name().equals(word)) return e;
        }
        return null;
    }
}
