package plight.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import plight.config.Config;
import plight.config.ConfigLoader;
import plight.config.Environment;

/** {@code plight [-c FILE] <command> [options]}: parse, load the config, run one command, exit. */
public final class Main {
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
            if (args.length == 1 && args[0].equals("version") || versionAsked(args)) {
                out.println(VersionCommand.LINE);
                return ExitCode.OK;
            }
            int at = commandIndex(args);
            String word = at < 0 ? null : args[at].toLowerCase(Locale.ROOT);
            if (word != null && !word.equals(args[at])) {
                // Verbs are case-insensitive, as in the original (which lower-cased them).
                args = args.clone();
                args[at] = word;
            }
            Prefetch prefetch = Prefetch.start(new ConfigLoader(env), configOption(args), word != null && !CommandTable.isLocal(word),
                    "reload".equals(word));
            try {
                return run(args, word, prefetch);
            } finally {
                prefetch.discard();
            }
        } catch (CliException e) {
            err.println("plight: " + e.getMessage());
            return e.code();
        }
    }

    private ExitCode run(String[] args, String word, Prefetch prefetch) throws CliException {
        if ("start".equals(word) && at(args) == args.length - 1) {
            // The daemon without JCommander: "[-c FILE] start" needs no parsing, and a resident daemon would keep
            // JCommander's classes and the JDK's reflection over them (~90 classes) in metaspace for good.
            return CommandTable.find(word).run(new Invocation(prefetch.config(), env, out, err, prefetch));
        }
        // Only the command being run is handed to JCommander, since it reflects over every command object it
        // is given; which object that is does not depend on the configuration, so parsing overlaps with reading it.
        GlobalOptions global = new GlobalOptions();
        Command command = word == null ? null : CommandTable.find(word);
        JCommander.Builder builder = JCommander.newBuilder().programName("plight").addObject(global);
        if (command != null) {
            builder.addCommand(word, command);
        }
        JCommander jc = builder.build();
        ParameterException badUsage = null;
        try {
            jc.parse(command instanceof SetStateCommand ? SetStateCommand.normalize(args) : args);
        } catch (ParameterException e) {
            badUsage = e;
        }
        Config config;
        try {
            config = prefetch.config();
        } catch (CliException badConfig) {
            // plightd.service reloads through `plight reload`: the running daemon is to refuse the file itself, and
            // record the refusal (metrics, log), so the file's error goes to it when it can be reached.
            if (command instanceof ReloadCommand reload && badUsage == null && !global.help && !command.help) {
                return reload.runDespite(badConfig, prefetch, out, err);
            }
            throw badConfig;
        }
        if (word != null && !CommandTable.knows(word, config.states())) {
            throw new CliException(ExitCode.USAGE, "unknown command '" + word + "' (valid: "
                    + String.join(", ", CommandTable.descriptions(config.states()).keySet()) + ")");
        }
        if (badUsage != null) {
            throw new CliException(ExitCode.USAGE, usageProblem(badUsage, jc, word));
        }
        String parsed = jc.getParsedCommand();
        if (global.help || parsed == null) {
            PrintStream to = global.help ? out : err;
            to.print(Help.overview(CommandTable.descriptions(config.states())));
            return global.help ? ExitCode.OK : ExitCode.USAGE;
        }
        if (command.help) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(parsed, sb);
            out.print(sb);
            return ExitCode.OK;
        }
        return command.run(new Invocation(config, env, out, err, prefetch));
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

    /** {@code --version} without a command, also after the global options ({@code plight -c FILE --version}). */
    private static boolean versionAsked(String[] args) {
        boolean asked = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-c") || args[i].equals("--config")) {
                i++;
            } else if (args[i].equals("--version")) {
                asked = true;
            } else if (!args[i].startsWith("-")) {
                return false; // a command: --version is then its (unknown) option
            }
        }
        return asked;
    }

    /**
     * Where the command stands when everything before it is a {@code -c FILE} or {@code --config[=]FILE}; -1 when
     * anything else (another option, a bad one) comes first, which is then JCommander's to parse and report.
     */
    private static int at(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("-c") || a.equals("--config")) && i + 1 < args.length) {
                i++;
            } else if (!a.startsWith("--config=")) {
                return a.startsWith("-") ? -1 : i;
            }
        }
        return -1;
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
}
