package plight.bench;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.converters.IParameterSplitter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import plight.config.Durations;

/**
 * Raw command-line options as JCommander fills them (all strings, so that every bad value gets our own message
 * naming the option and what is valid), and their validation into {@link Settings}.
 */
final class BenchOptions {
    static final int DEFAULT_CONNECTIONS = 64;
    static final String DEFAULT_DURATION = "10s";
    static final String DEFAULT_WARMUP = "2s";
    static final int DEFAULT_PIPELINE = 16;
    static final double DEFAULT_RATE = 10;
    static final String DEFAULT_TIMEOUT = "5s";
    static final String DEFAULT_FLIP_INTERVAL = "500ms";
    static final int DEFAULT_ROUNDS = 3;
    static final int DEFAULT_STREAMS = 16;

    @Parameter(description = "SCENARIO")
    List<String> positional = new ArrayList<>();

    @Parameter(names = "--url")
    String url;

    @Parameter(names = "--connections")
    String connections;

    @Parameter(names = "--duration")
    String duration;

    @Parameter(names = "--warmup")
    String warmup;

    @Parameter(names = "--pipeline")
    String pipeline;

    @Parameter(names = "--rate")
    String rate;

    @Parameter(names = "--threads")
    String threads;

    @Parameter(names = "--transport")
    String transport;

    @Parameter(names = "--timeout")
    String timeout;

    @Parameter(names = {"-c", "--config"})
    String config;

    @Parameter(names = "--flip-command", splitter = NoSplitter.class)
    List<String> flipCommands = new ArrayList<>();

    @Parameter(names = "--flip-interval")
    String flipInterval;

    @Parameter(names = "--json")
    String json;

    @Parameter(names = "--compare")
    String compare;

    @Parameter(names = "--rounds")
    String rounds;

    @Parameter(names = "--reuse")
    boolean reuse;

    @Parameter(names = "--reuse-share")
    String reuseShare;

    @Parameter(names = "--jitter")
    String jitter;

    @Parameter(names = "--pid")
    String pid;

    @Parameter(names = "--compare-pid")
    String comparePid;

    @Parameter(names = "--plot")
    String plot;

    @Parameter(names = "--streams")
    String streams;

    @Parameter(names = "--new-connection")
    boolean newConnection;

    @Parameter(names = "--service")
    String service;

    @Parameter(names = {"-h", "--help"}, help = true)
    boolean help;

    /** Repeated options are taken whole; a flip command may well contain commas. */
    public static final class NoSplitter implements IParameterSplitter {
        @Override
        public List<String> split(String value) {
            return List.of(value);
        }
    }

    static final String OPTION_NAMES = "--url, --connections, --duration, --warmup, --pipeline, --rate, --threads,"
            + " --transport, --timeout, -c/--config, --flip-command, --flip-interval, --json, --compare, --rounds,"
            + " --reuse, --reuse-share, --jitter, --pid, --compare-pid, --plot, --streams, --new-connection, --service,"
            + " --help";

    Settings validate() throws UsageException {
        for (String p : positional) {
            if (p.startsWith("-")) {
                throw new UsageException("unknown option '" + p + "'; valid: " + OPTION_NAMES);
            }
        }
        if (positional.isEmpty()) {
            throw new UsageException("missing scenario; valid: " + Scenario.names());
        }
        if (positional.size() > 1) {
            throw new UsageException("one scenario expected, got " + String.join(" ", positional)
                    + "; valid: " + Scenario.names());
        }
        Scenario scenario = Scenario.parse(positional.get(0));
        if (url == null) {
            throw new UsageException("--url is required (e.g. --url http://127.0.0.1:10101/)");
        }
        Target a = target("--url", url);
        Target b = compare == null ? null : target("--compare", compare);
        if (b != null && scenario == Scenario.FLIP) {
            throw new UsageException("--compare is not available for the flip scenario (it flips one daemon)");
        }
        int conns = positiveInt("--connections", connections, DEFAULT_CONNECTIONS, 1_000_000);
        long durationNanos = duration("--duration", duration, DEFAULT_DURATION, false);
        long warmupNanos = duration("--warmup", warmup, DEFAULT_WARMUP, true);
        if (pipeline != null && scenario != Scenario.PIPELINE) {
            throw new UsageException("--pipeline applies only to the pipeline scenario");
        }
        if ((streams != null || newConnection) && !scenario.http2()) {
            throw new UsageException((streams != null ? "--streams" : "--new-connection")
                    + " applies only to the h2 and grpc scenarios");
        }
        if (streams != null && newConnection) {
            throw new UsageException("--streams and --new-connection exclude each other (a new connection per"
                    + " check carries one stream)");
        }
        if (service != null && scenario != Scenario.GRPC) {
            throw new UsageException("--service applies only to the grpc scenario");
        }
        int depth = scenario == Scenario.PIPELINE ? positiveInt("--pipeline", pipeline, DEFAULT_PIPELINE, 4096)
                : scenario.http2() && !newConnection ? positiveInt("--streams", streams, DEFAULT_STREAMS, 4096) : 1;
        if (rate != null && scenario != Scenario.FLEET) {
            throw new UsageException("--rate applies only to the fleet scenario");
        }
        double perSecond = DEFAULT_RATE;
        if (rate != null) {
            try {
                perSecond = Double.parseDouble(rate.trim());
            } catch (NumberFormatException e) {
                perSecond = Double.NaN;
            }
            if (!(perSecond > 0 && perSecond <= 1_000_000)) {
                throw new UsageException("--rate: '" + rate + "' is not valid; expected checks per second per"
                        + " load balancer, a number > 0 (e.g. 0.5, 10)");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int loops = positiveInt("--threads", threads, cores, 1024);
        String tr = transport == null ? "auto" : transport.toLowerCase(Locale.ROOT);
        if (!List.of("auto", "epoll", "nio").contains(tr)) {
            throw new UsageException("--transport: '" + transport + "' is not valid; valid: auto, epoll, nio");
        }
        long timeoutNanos = duration("--timeout", timeout, DEFAULT_TIMEOUT, false);
        if (scenario != Scenario.FLIP && (!flipCommands.isEmpty() || flipInterval != null)) {
            throw new UsageException((flipCommands.isEmpty() ? "--flip-interval" : "--flip-command")
                    + " applies only to the flip scenario");
        }
        Path configPath = config == null ? null : Path.of(config);
        List<CommandFlipper.Step> steps = List.of();
        long flipIntervalNanos = duration("--flip-interval", flipInterval, DEFAULT_FLIP_INTERVAL, true);
        if (scenario == Scenario.FLIP) {
            if (!flipCommands.isEmpty()) {
                steps = new ArrayList<>();
                for (String spec : flipCommands) {
                    try {
                        steps.add(CommandFlipper.Step.parse(spec));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--flip-command: " + e.getMessage());
                    }
                }
            }
        }
        if (rounds != null && b == null) {
            throw new UsageException("--rounds applies only with --compare");
        }
        int r = positiveInt("--rounds", rounds, DEFAULT_ROUNDS, 1000);
        if (r < 2) {
            throw new UsageException("--rounds: '" + rounds + "' is not valid; expected an integer >= 2");
        }
        Path jsonPath = json == null ? null : Path.of(json);
        if (scenario != Scenario.FLEET && (reuse || reuseShare != null || jitter != null)) {
            throw new UsageException((reuse ? "--reuse" : reuseShare != null ? "--reuse-share" : "--jitter")
                    + " applies only to the fleet scenario");
        }
        if (reuse && reuseShare != null) {
            throw new UsageException("--reuse and --reuse-share exclude each other (--reuse is --reuse-share 100)");
        }
        double share = reuse ? 1 : percent("--reuse-share", reuseShare, "share of the load balancers that keep"
                + " their connection");
        double jit = percent("--jitter", jitter, "how much each check's interval may vary either way");
        Long pidValue = pid("--pid", pid);
        if (comparePid != null && b == null) {
            throw new UsageException("--compare-pid applies only with --compare");
        }
        Long comparePidValue = pid("--compare-pid", comparePid);
        Path plotPath = null;
        if (plot != null) {
            if (!plot.endsWith(".svg")) {
                throw new UsageException("--plot: '" + plot + "' is not valid; expected a file name ending in .svg");
            }
            plotPath = Path.of(plot);
        }
        return new Settings(scenario, a, b, conns, durationNanos, warmupNanos, depth, perSecond, loops, tr,
                timeoutNanos, configPath, List.copyOf(steps), flipIntervalNanos, jsonPath, r, share, jit, pidValue,
                comparePidValue, plotPath, newConnection, service == null ? "" : service);
    }

    private static Long pid(String option, String value) throws UsageException {
        if (value == null) {
            return null;
        }
        long p;
        try {
            p = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p <= 0) {
            throw new UsageException(option + ": '" + value + "' is not valid; expected a process id (a positive"
                    + " integer), the target server's");
        }
        return p;
    }

    /** A percentage 0–100 (a trailing % allowed) as a share 0–1; 0 when not given. */
    private static double percent(String option, String value, String what) throws UsageException {
        if (value == null) {
            return 0;
        }
        String t = value.trim();
        t = t.endsWith("%") ? t.substring(0, t.length() - 1) : t;
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= 0 && v <= 100)) {
            throw new UsageException(option + ": '" + value + "' is not valid; expected a percentage from 0 to 100"
                    + " (" + what + ")");
        }
        return v / 100;
    }

    private static Target target(String option, String value) throws UsageException {
        try {
            return Target.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    private static int positiveInt(String option, String value, int dflt, int max) throws UsageException {
        if (value == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UsageException(option + ": '" + value + "' is not valid; expected an integer from 1 to " + max);
    }

    private static long duration(String option, String value, String dflt, boolean zeroOk) throws UsageException {
        String text = value == null ? dflt : value;
        try {
            return (zeroOk ? Durations.parseAtMostMax(option, text) : Durations.parsePositive(option, text)).toNanos();
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": '" + value + "' is not valid; expected "
                    + (zeroOk ? "" : "a positive duration, ") + Durations.GRAMMAR);
        }
    }
}
