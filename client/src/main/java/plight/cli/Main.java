package plight.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.config.Durations;
import plight.config.Environment;
import plight.config.Version;
import plight.control.ControlClient;
import plight.control.DaemonLauncher;
import plight.control.PidFile;
import plight.state.State;
import plight.state.StateStore;

/** {@code plight [-c FILE] <command> [options]}: parse, load the config, run one command, exit. */
public final class Main {
    static final String VERSION = Version.get();
    /** How long {@code stop} waits for a daemon whose socket is gone to exit, before calling the socket missing. */
    private static final Duration STOPPING_GRACE = Duration.ofSeconds(1);

    /** The CLI's own commands; any other word is a state's verb or name. */
    private static final java.util.Set<String> BUILT_IN =
            java.util.Set.of("start", "stop", "status", "list-states", "reload", "stats", "version");
    /** Commands that never talk to the daemon. */
    private static final java.util.Set<String> LOCAL_COMMANDS = java.util.Set.of("start", "list-states", "version");

    private final Environment env;
    private final PrintStream out;
    private final PrintStream err;

    Main(Environment env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int status = new Main(Environment.current(), System.out, System.err).run(Argv.utf8(args)).status();
        System.out.flush();
        System.exit(status);
    }

    ExitCode run(String[] args) {
        try {
            return dispatch(args);
        } catch (CliException e) {
            err.println("plight: " + e.getMessage());
            return e.code();
        }
    }

    private ExitCode dispatch(String[] args) throws CliException {
        if (args.length == 1 && (args[0].equals("version") || args[0].equals("--version"))) {
            out.println("plight " + VERSION);
            return ExitCode.OK;
        }
        int at = commandIndex(args);
        String word = at < 0 ? null : args[at].toLowerCase(java.util.Locale.ROOT);
        if (word != null && !word.equals(args[at])) {
            // Verbs are case-insensitive, as in the original (which lower-cased them).
            args = args.clone();
            args[at] = word;
        }
        boolean talksToDaemon = word != null && !LOCAL_COMMANDS.contains(word);
        Prefetch prefetch = Prefetch.start(new ConfigLoader(env), configOption(args), talksToDaemon);
        try {
            return dispatch(args, word, prefetch);
        } finally {
            prefetch.discard();
        }
    }

    private ExitCode dispatch(String[] args, String word, Prefetch prefetch) throws CliException {
        // Only the command being run is handed to JCommander, since it reflects over every command object it
        // is given; which options class that is does not depend on the configuration, so parsing can overlap
        // with reading it.
        Arguments.Global global = new Arguments.Global();
        Object options = word == null ? null
                : word.equals("status") ? new Arguments.Status()
                : word.equals("stats") ? new Arguments.Stats()
                : BUILT_IN.contains(word) ? new Arguments.Plain()
                : new Arguments.Verb();
        JCommander.Builder builder = JCommander.newBuilder().programName("plight").addObject(global);
        if (word != null) {
            builder.addCommand(word, options);
        }
        JCommander jc = builder.build();
        ParameterException badUsage = null;
        try {
            jc.parse(args);
        } catch (ParameterException e) {
            badUsage = e;
        }
        Config config = prefetch.config();

        Map<String, String> descriptions = new LinkedHashMap<>();
        Map<String, State> verbs = new LinkedHashMap<>();
        descriptions.put("start", "run the daemon in the foreground");
        descriptions.put("stop", "stop the running daemon");
        descriptions.put("status", "show the current state [--json]");
        descriptions.put("list-states", "list the configured states");
        descriptions.put("reload", "make the running daemon re-read its configuration");
        descriptions.put("stats", "probes served, connections, probe sources [--json | --format prometheus]");
        for (State s : config.states().states()) {
            verbs.put(s.verb(), s);
            verbs.put(s.name(), s);
            descriptions.put(s.verb(), "set the state '" + s.name() + "' (" + s.code() + " " + s.message() + ")"
                    + (s.isDefault() ? ", the default" : "") + " [--reason TEXT] [--ttl DURATION]");
        }
        descriptions.put("version", "print the version");
        if (word != null && !BUILT_IN.contains(word) && !verbs.containsKey(word)) {
            throw new CliException(ExitCode.USAGE, "unknown command '" + word + "' (valid: "
                    + String.join(", ", descriptions.keySet()) + ")");
        }
        if (badUsage != null) {
            throw new CliException(ExitCode.USAGE, usageProblem(badUsage, jc, word));
        }
        String parsed = jc.getParsedCommand();
        if (global.help || parsed == null) {
            PrintStream to = global.help ? out : err;
            to.print(Help.overview(descriptions));
            return global.help ? ExitCode.OK : ExitCode.USAGE;
        }
        if (isHelp(options)) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(parsed, sb);
            out.print(sb);
            return ExitCode.OK;
        }
        if (parsed.equals("version")) {
            out.println("plight " + VERSION);
            return ExitCode.OK;
        }
        if (parsed.equals("start")) {
            return start(config);
        }
        if (parsed.equals("list-states")) {
            Output.listStates(out, config.states());
            return ExitCode.OK;
        }
        // Whether a daemon runs is the pidfile's lock; the socket only says whether we can talk to it.
        PidFile.Probe daemon = prefetch.daemon();
        long daemonPid = daemon instanceof PidFile.Probe.Held held ? held.pid() : -1;
        Optional<ControlClient> client;
        boolean runningButClosedToUs = false;
        try {
            client = prefetch.client();
        } catch (ControlClient.PermissionDenied e) {
            if (daemon instanceof PidFile.Probe.Free) {
                // A socket file left by a crash, closed to us; nobody holds the pidfile, so no daemon runs.
                client = Optional.empty();
            } else if (!parsed.equals("status")) {
                throw new CliException(ExitCode.FAILED, e.getMessage());
            } else {
                // Anyone may read the state, as with the original: from the files, since the socket is closed to us.
                client = Optional.empty();
                runningButClosedToUs = true;
            }
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage());
        }
        boolean runningWithoutSocket = false;
        if (client.isEmpty() && !runningButClosedToUs && daemon instanceof PidFile.Probe.Held) {
            if (parsed.equals("stop") && daemonPid > 0 && DaemonProcess.awaitExit(daemonPid, STOPPING_GRACE)) {
                // A stopping daemon removes its socket a moment before it exits.
                err.println("plight: plight was already stopping; it has stopped");
                return ExitCode.OK;
            }
            // A daemon holds the pidfile but nobody listens on the socket (a tmp cleaner, an operator's rm).
            String problem = "plight (pid " + daemonPid + ") is running but its control socket "
                    + prefetch.socket() + " is missing; restart it";
            if (!parsed.equals("status") && !verbs.containsKey(parsed)) {
                throw new CliException(ExitCode.FAILED, problem);
            }
            err.println("plight: warning: " + problem + "; the state files are used directly, and it serves them within a second");
            runningWithoutSocket = true;
        }
        StoreNode files = new StoreNode(new StateStore(config.states()), caller(), false);
        Node node = client.isPresent() ? new DaemonNode(client.get(), daemonPid)
                : new StoreNode(new StateStore(config.states()), caller(), runningButClosedToUs || runningWithoutSocket);
        Commands run = new Commands(node, files, out, err);
        State target = verbs.get(parsed);
        if (target != null) {
            Arguments.Verb v = (Arguments.Verb) options;
            return run.set(target, reason(v.reason), ttl(v.ttl, target));
        }
        return switch (parsed) {
            case "stop" -> run.stop();
            case "status" -> run.status(((Arguments.Status) options).json);
            case "reload" -> run.reload();
            case "stats" -> run.stats(((Arguments.Stats) options).json, ((Arguments.Stats) options).format);
            default -> throw new IllegalStateException("command without a handler: " + parsed);
        };
    }

    /** JCommander's messages name its internals ("main parameter"); say which option is wrong and what is valid. */
    private static String usageProblem(ParameterException e, JCommander jc, String command) {
        JCommander sub = command == null ? jc : jc.findCommandByAlias(command);
        String valid = sub == null ? "" : sub.getParameters().stream()
                .map(p -> p.getNames()).sorted().collect(java.util.stream.Collectors.joining(", "));
        String msg = e.getMessage();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("main parameter '([^']*)'").matcher(msg);
        if (m.find()) {
            String word = m.group(1);
            msg = (word.startsWith("-") ? "unknown option '" : "unexpected argument '") + word + "'";
        }
        return msg + (command == null ? "" : " for '" + command + "'") + (valid.isEmpty() ? "" : " (valid: " + valid + ")");
    }

    /** The {@code -c FILE} / {@code --config FILE} / {@code --config=FILE} option, or {@code null}. */
    private static Path configOption(String[] args) throws CliException {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-c") || a.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new CliException(ExitCode.USAGE, "option " + a + " needs a file");
                }
                return Path.of(args[i + 1]);
            }
            if (a.startsWith("--config=")) {
                return Path.of(a.substring("--config=".length()));
            }
        }
        return null;
    }

    /** Where the first word that is neither an option nor an option's value, the command, stands; -1 if none. */
    private static int commandIndex(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-c") || a.equals("--config")) {
                i++;
            } else if (!a.startsWith("-")) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isHelp(Object options) {
        if (options instanceof Arguments.Plain p) return p.help;
        if (options instanceof Arguments.Status s) return s.help;
        if (options instanceof Arguments.Verb v) return v.help;
        return false;
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

    private String caller() {
        return System.getProperty("user.name") + " (uid " + env.uid() + ", pid " + ProcessHandle.current().pid() + ")";
    }


    /** The daemon comes with the server jar, which {@code bin/plight start} puts on the class path. */
    private ExitCode start(Config config) throws CliException {
        DaemonLauncher daemon = ServiceLoader.load(DaemonLauncher.class).findFirst().orElseThrow(() ->
                new CliException(ExitCode.FAILED, "the daemon is not on the class path (lib/plight-server-*.jar); run bin/plight start"));
        return daemon.runForeground(config, err) ? ExitCode.OK : ExitCode.FAILED;
    }
}
