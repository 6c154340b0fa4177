package plight.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.config.Durations;
import plight.config.Environment;
import plight.control.ControlClient;
import plight.daemon.Daemon;
import plight.state.State;
import plight.state.StateStore;

/** {@code plight [-c FILE] <command> [options]}: parse, load the config, run one command, exit. */
public final class Main {
    static final String VERSION = Main.class.getPackage().getImplementationVersion() != null
            ? Main.class.getPackage().getImplementationVersion() : "dev";

    private final Environment env;
    private final PrintStream out;
    private final PrintStream err;

    Main(Environment env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        ControlClient.warmUp();
        int status = new Main(Environment.current(), System.out, System.err).run(args).status();
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
        Config config = loadConfig(args);
        // Commands are described without JCommander; only the one being run is handed to it, since JCommander
        // reflects over every command object it is given and that dominates the CLI's start-up time.
        Map<String, String> descriptions = new LinkedHashMap<>();
        Map<String, String> aliases = new LinkedHashMap<>();
        Map<String, State> verbs = new LinkedHashMap<>();
        descriptions.put("start", "run the daemon in the foreground");
        descriptions.put("stop", "stop the running daemon");
        descriptions.put("status", "show the current state [--json]");
        descriptions.put("list-states", "list the configured states");
        descriptions.put("reload", "make the running daemon re-read its configuration");
        descriptions.put("stats", "probes served, connections, probe sources [--json]");
        for (State s : config.states().states()) {
            verbs.put(s.verb(), s);
            descriptions.put(s.verb(), "set the state '" + s.name() + "' (" + s.code() + " " + s.message() + ")"
                    + (s.isDefault() ? ", the default" : "") + " [--reason TEXT] [--ttl DURATION]");
            if (!s.name().equals(s.verb())) aliases.put(s.name(), s.verb());
        }
        descriptions.put("version", "print the version");

        int at = commandIndex(args);
        String word = at < 0 ? null : args[at].toLowerCase(java.util.Locale.ROOT);
        if (word != null && !word.equals(args[at])) {
            // Verbs are case-insensitive, as in the original (which lower-cased them).
            args = args.clone();
            args[at] = word;
        }
        String command = word == null ? null : aliases.getOrDefault(word, word);
        if (command != null && !descriptions.containsKey(command)) {
            throw new CliException(ExitCode.USAGE, "unknown command '" + word + "' (valid: "
                    + String.join(", ", descriptions.keySet()) + ")");
        }
        Arguments.Global global = new Arguments.Global();
        Object options = command == null ? null
                : verbs.containsKey(command) ? new Arguments.Verb()
                : command.equals("status") || command.equals("stats") ? new Arguments.Status()
                : new Arguments.Plain();
        JCommander.Builder builder = JCommander.newBuilder().programName("plight").addObject(global);
        if (command != null) {
            if (word.equals(command)) {
                builder.addCommand(command, options);
            } else {
                builder.addCommand(command, options, word);
            }
        }
        JCommander jc = builder.build();
        try {
            jc.parse(args);
        } catch (ParameterException e) {
            throw new CliException(ExitCode.USAGE, usageProblem(e, jc, word));
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
            return Daemon.runForeground(config, err) ? ExitCode.OK : ExitCode.FAILED;
        }
        if (parsed.equals("list-states")) {
            Output.listStates(out, config.states());
            return ExitCode.OK;
        }
        Optional<ControlClient> client;
        boolean runningButClosedToUs = false;
        try {
            client = ControlClient.connect(config.control().socket(), DaemonNode.TIMEOUT);
        } catch (ControlClient.PermissionDenied e) {
            if (!parsed.equals("status")) {
                throw new CliException(ExitCode.FAILED, e.getMessage());
            }
            // Anyone may read the state, as with the original: from the files, since the socket is closed to us.
            client = Optional.empty();
            runningButClosedToUs = true;
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage());
        }
        try {
            Node node = client.isPresent() ? new DaemonNode(client.get())
                    : new StoreNode(new StateStore(config.states()), caller(), runningButClosedToUs);
            Commands run = new Commands(config, node, out, err);
            State target = verbs.get(parsed);
            if (target != null) {
                Arguments.Verb v = (Arguments.Verb) options;
                return run.set(target, reason(v.reason), ttl(v.ttl, target));
            }
            return switch (parsed) {
                case "stop" -> run.stop();
                case "status" -> run.status(((Arguments.Status) options).json);
                case "reload" -> run.reload();
                case "stats" -> run.stats(((Arguments.Status) options).json);
                default -> throw new IllegalStateException("command without a handler: " + parsed);
            };
        } finally {
            if (client.isPresent()) client.get().close();
        }
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

    private Config loadConfig(String[] args) throws CliException {
        Path explicit = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("-c") || a.equals("--config"))) {
                if (i + 1 >= args.length) {
                    throw new CliException(ExitCode.USAGE, "option " + a + " needs a file");
                }
                explicit = Path.of(args[i + 1]);
                break;
            }
            if (a.startsWith("--config=")) {
                explicit = Path.of(a.substring("--config=".length()));
                break;
            }
        }
        try {
            return new ConfigLoader(env).load(explicit);
        } catch (ConfigException e) {
            throw new CliException(ExitCode.BAD_CONFIG, e.getMessage());
        }
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
            Duration d = Durations.parse(ttl);
            if (d.isZero()) throw new IllegalArgumentException("--ttl must be longer than 0");
            if (d.compareTo(Durations.MAX) > 0) throw new IllegalArgumentException("--ttl must be at most " + Durations.format(Durations.MAX));
            return d;
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "--ttl: " + e.getMessage());
        }
    }

    private String caller() {
        return System.getProperty("user.name") + " (uid " + env.uid() + ", pid " + ProcessHandle.current().pid() + ")";
    }

}
