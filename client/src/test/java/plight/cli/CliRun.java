package plight.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import plight.config.Environment;

/** One run of the CLI in process: its exit status and what it printed. */
record CliRun(ExitCode code, String out, String err) {

    /** Runs {@code plight args} as a user with {@code env}. */
    static CliRun of(Environment env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new Main(env, o, e).run(args);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code plight -c conf args}. */
    static CliRun withConf(Environment env, Path conf, String... args) {
        String[] withConf = new String[args.length + 2];
        withConf[0] = "-c";
        withConf[1] = conf.toString();
        System.arraycopy(args, 0, withConf, 2, args.length);
        return of(env, withConf);
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
