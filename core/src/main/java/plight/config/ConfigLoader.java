package plight.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import plight.state.State;
import plight.state.StateTable;
import plight.text.IoErrors;

/**
 * Finds, reads and validates plight.conf. Resolution: an explicit file, else {@code $PLIGHT_CONF}, else the
 * system file when it exists, else the built-in defaults. Anything wrong is a {@link ConfigException} naming
 * file, line and problem; nothing is half-loaded.
 */
public final class ConfigLoader {
    public static final Path SYSTEM_CONFIG = Path.of("/etc/plight/plight.conf");

    /** Response headers plight writes itself; a state's {@code header.NAME} may not repeat them. */
    private static final Set<String> OWN_HEADERS = Set.of("server", "date", "content-type", "content-length",
            "cache-control", "x-plight-state", "connection", "transfer-encoding", "keep-alive");

    private static final Pattern STATE_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    /** A line that may set where the daemon's files are, which {@link #daemonFiles} must not leave out. */
    private static final Pattern DAEMON_FILE_KEY = Pattern.compile("(?i)^\\s*(socket|pidfile)\\s*[=:]");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Map<String, String> CLASSIC_VERBS = Map.of("enabled", "enable", "disabled", "disable", "offline", "offline");
    private static final Map<String, String> LEVELS = Map.ofEntries(
            Map.entry("trace", "trace"), Map.entry("debug", "debug"), Map.entry("info", "info"),
            Map.entry("warning", "warn"), Map.entry("warn", "warn"), Map.entry("error", "error"),
            Map.entry("critical", "error"), Map.entry("fatal", "error"), Map.entry("off", "off"));

    private static final Set<String> WEB_KEYS = Set.of("host", "port", "user", "group", "logfile", "loglevel",
            "filesize", "rotationcount", "idle_timeout", "request_timeout", "max_connections", "threads", "logformat",
            "transport");
    /** A log rotating every few lines spends its writer on rotation and falls behind (an operator thinking in MB). */
    static final long MIN_FILESIZE = 4096;
    private static final Set<String> LOG_KEYS = Set.of("logfile", "loglevel", "filesize", "rotationcount", "format");
    private static final Set<String> FIXED_SECTIONS = Set.of("webserver", "logging", "priorities", "control", "agent",
            "metrics", "daemon", "grpc");
    /** A gRPC service name as clients send it, e.g. {@code grpc.health.v1.Health} or {@code my.pkg.Orders}. */
    private static final Pattern GRPC_SERVICE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-/]{0,199}");
    /** Bounds the List answer, which names every service. */
    private static final int MAX_GRPC_SERVICES = 100;

    private final Environment env;
    private final Path systemConfig;

    public ConfigLoader(Environment env) {
        this(env, SYSTEM_CONFIG);
    }

    public ConfigLoader(Environment env, Path systemConfig) {
        this.env = env;
        this.systemConfig = systemConfig;
    }

    /** The file resolution picks, or empty for the built-in defaults. */
    public Optional<Path> resolve(Path explicit) {
        if (explicit != null) return Optional.of(explicit);
        String fromEnv = env.get("PLIGHT_CONF");
        if (fromEnv != null) return Optional.of(Path.of(fromEnv));
        return Files.exists(systemConfig) ? Optional.of(systemConfig) : Optional.empty();
    }

    public Config load(Path explicit) throws ConfigException {
        Optional<Path> file = resolve(explicit);
        return file.isPresent() ? loadFile(file.get()) : defaults();
    }

    public Config loadFile(Path file) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read the configuration: " + IoErrors.reason(e));
        }
        return parse(file, utf8(file, bytes));
    }

    /** The text, or a refusal naming the first line that is not UTF-8. */
    private static String utf8(Path file, byte[] bytes) throws ConfigException {
        int lineStart = 0;
        for (int line = 1; lineStart <= bytes.length; line++) {
            int end = lineStart;
            while (end < bytes.length && bytes[end] != '\n') end++;
            try {
                StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes, lineStart, end - lineStart));
            } catch (CharacterCodingException e) {
                throw new ConfigException(file, line, "not valid UTF-8 text (the file must be UTF-8)");
            }
            lineStart = end + 1;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Where the daemon of a configuration keeps its pidfile and its control socket. */
    public record DaemonFiles(Path pidFile, Path socket) {
    }

    /**
     * Where the daemon of {@code explicit}'s resolution keeps its files, also when the file does not load: a
     * {@code plight reload} of a file with an error must still reach the daemon, which refuses it and records
     * the refusal. Lines the INI reader cannot take are left out, as long as none of them could be the
     * {@code socket} or {@code pidfile} line; otherwise, and when the file cannot be read, empty: guessing could
     * name another daemon's files.
     */
    public Optional<DaemonFiles> daemonFiles(Path explicit) {
        Optional<Path> file = resolve(explicit);
        if (file.isEmpty()) {
            Config d = defaults();
            return Optional.of(new DaemonFiles(d.pidFile(), d.control().socket()));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file.get()))).toString();
        } catch (IOException e) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        for (int attempt = 0; attempt <= lines.size(); attempt++) {
            try {
                return Optional.of(new Reader(file.get(), IniFile.parse(file.get(), String.join("\n", lines))).daemonFiles());
            } catch (ConfigException e) {
                int at = e.line() - 1;
                if (at < 0 || at >= lines.size() || DAEMON_FILE_KEY.matcher(lines.get(at)).find()) {
                    return Optional.empty();
                }
                lines.set(at, "");
            }
        }
        return Optional.empty();
    }

    public Config defaults() {
        try {
            return parse(null, "");
        } catch (ConfigException e) {
            throw new IllegalStateException("built-in defaults are invalid", e);
        }
    }

    public Config parse(Path file, String text) throws ConfigException {
        return new Reader(file, IniFile.parse(file, text)).read();
    }

    /** One pass over one file; holds the file for error messages. */
    private final class Reader {
        private final Path file;
        private final IniFile ini;
        private final List<String> warnings = new ArrayList<>();

        Reader(Path file, IniFile ini) {
            this.file = file;
            this.ini = ini;
        }

        Config read() throws ConfigException {
            // A plain user's defaults, unless a service manager handed the daemon its directories.
            Path stateDir = env.isRoot() ? Path.of("/var/lib/plight") : env.serviceDirectory("STATE_DIRECTORY").orElseGet(env::userStateDir);
            Path logDir = env.isRoot() ? Path.of("/var/log/plight") : env.serviceDirectory("LOGS_DIRECTORY").orElseGet(env::userStateDir);
            Path runDir = runDir();
            refuseReservedStateNames();

            IniFile.Section web = section("webserver", WEB_KEYS);
            String group = string(web, "group", "plight");
            WebSettings webSettings = new WebSettings(
                    hosts(web, "0.0.0.0"),
                    integer(web, "port", 10101, 0, 65535),
                    string(web, "user", "plight"),
                    group,
                    logSettings(web, logDir.resolve("access.log"), "logformat"),
                    duration(web, "idle_timeout", Duration.ofSeconds(60)),
                    duration(web, "request_timeout", Duration.ofSeconds(5)),
                    integer(web, "max_connections", 10000, 1, 1_000_000),
                    integer(web, "threads", 1, 1, 256),
                    transport(web));
            IniFile.Section logging = section("logging", LOG_KEYS);
            LogSettings appLog = logSettings(logging, logDir.resolve("plight.log"), "format");
            if (appLog.file().equals(webSettings.accessLog().file())) {
                // Two writers on one file overwrite each other's lines and rotate it each on its own count.
                int line = logging.get("logfile").or(() -> web.get("logfile")).map(IniFile.Entry::line).orElse(0);
                throw new ConfigException(file, line, "[logging] logfile and [webserver] logfile are the same file: "
                        + appLog.file() + "; the application log and the access log need a file each");
            }

            IniFile.Section control = section("control", Set.of("socket", "mode", "group"));
            ControlSettings controlSettings = new ControlSettings(
                    path(control, "socket", runDir.resolve("control.sock")),
                    mode(control, "mode", 0660),
                    string(control, "group", env.isRoot() || web.get("group").isPresent() ? group : null));

            IniFile.Section agent = section("agent", Set.of("port", "host"));
            AgentSettings agentSettings = new AgentSettings(hosts(agent, "0.0.0.0"), integer(agent, "port", 0, 0, 65535));

            IniFile.Section metrics = section("metrics", Set.of("port", "host"));
            MetricsSettings metricsSettings = new MetricsSettings(hosts(metrics, "127.0.0.1"), integer(metrics, "port", 0, 0, 65535));

            GrpcSettings grpcSettings = grpcSettings(section("grpc", Set.of("services", "not_serving_status")));

            IniFile.Section daemon = section("daemon", Set.of("pidfile"));
            Path pidFile = path(daemon, "pidfile", runDir.resolve("plight.pid"));

            StateTable states = states(stateDir);
            return new Config(file, webSettings, appLog, controlSettings, agentSettings, metricsSettings, grpcSettings, pidFile, states, warnings);
        }

        /**
         * A state's section cannot be one of the options sections: checked first, or the state's keys would be
         * reported as unknown options of that section.
         */
        private void refuseReservedStateNames() throws ConfigException {
            Optional<IniFile.Entry> e = ini.section("priorities").flatMap(p -> p.get("states"));
            if (e.isEmpty()) {
                return;
            }
            for (String raw : e.get().value().split(",")) {
                String name = raw.strip();
                if (FIXED_SECTIONS.contains(name)) {
                    throw new ConfigException(file, e.get().line(), "state name '" + name + "' is reserved for the ["
                            + name + "] section; give the state another name");
                }
            }
        }

        private GrpcSettings grpcSettings(IniFile.Section s) throws ConfigException {
            List<String> services = new ArrayList<>();
            Optional<IniFile.Entry> list = s.get("services");
            if (list.isPresent() && !list.get().value().isBlank()) {
                for (String raw : list.get().value().split(",")) {
                    String name = raw.strip();
                    if (!GRPC_SERVICE.matcher(name).matches()) {
                        throw new ConfigException(file, list.get().line(), "[grpc] services: '" + name
                                + "' is not a gRPC service name (letters, digits, '_', '.', '-', '/'; up to 200; "
                                + "the node itself is the service \"\" and needs no entry)");
                    }
                    if (services.contains(name)) {
                        throw new ConfigException(file, list.get().line(), "[grpc] services names '" + name + "' twice");
                    }
                    services.add(name);
                }
                if (services.size() > MAX_GRPC_SERVICES) {
                    throw new ConfigException(file, list.get().line(), "[grpc] services names " + services.size()
                            + " services; at most " + MAX_GRPC_SERVICES);
                }
            }
            boolean unavailable = oneOf(s, "not_serving_status", "", Map.entry("ok", false), Map.entry("unavailable", true))
                    .orElse(false);
            return new GrpcSettings(services, unavailable);
        }

        private Path runDir() {
            return env.isRoot() ? Path.of("/run/plight") : env.serviceDirectory("RUNTIME_DIRECTORY").orElseGet(env::userRuntimeDir);
        }

        /** As {@link #read()} finds them, without checking the rest of the file. */
        DaemonFiles daemonFiles() throws ConfigException {
            IniFile.Section none = new IniFile.Section("", 0, Map.of());
            return new DaemonFiles(path(ini.section("daemon").orElse(none), "pidfile", runDir().resolve("plight.pid")),
                    path(ini.section("control").orElse(none), "socket", runDir().resolve("control.sock")));
        }

        private StateTable states(Path stateDir) throws ConfigException {
            Optional<IniFile.Section> priorities = ini.section("priorities");
            List<String> names;
            Map<String, Integer> nameLines = new HashMap<>();
            if (priorities.isEmpty()) {
                names = List.of("enabled", "disabled", "offline");
            } else {
                checkKeys(priorities.get(), Set.of("states"));
                IniFile.Entry e = priorities.get().get("states").orElse(null);
                if (e == null) {
                    throw new ConfigException(file, priorities.get().line(), "[priorities] has no 'states' (e.g. states = enabled,disabled,offline)");
                }
                names = new ArrayList<>();
                for (String raw : e.value().split(",")) {
                    String name = raw.strip();
                    if (name.isEmpty()) {
                        throw new ConfigException(file, e.line(), "[priorities] states has an empty name in '" + e.value() + "'");
                    }
                    if (nameLines.put(name, e.line()) != null) {
                        throw new ConfigException(file, e.line(), "[priorities] states names '" + name + "' twice");
                    }
                    names.add(name);
                }
            }
            for (IniFile.Section s : ini.sections()) {
                if (!FIXED_SECTIONS.contains(s.name()) && !names.contains(s.name())) {
                    warnings.add(where(s.line()) + "section [" + s.name() + "] is not a state listed in [priorities] states; ignored");
                }
            }
            List<State> states = new ArrayList<>();
            Map<String, String> verbOwner = new LinkedHashMap<>();
            Map<Path, String> fileOwner = new HashMap<>();
            State defaultState = null;
            int defaultLine = 0;
            for (int priority = 0; priority < names.size(); priority++) {
                String name = names.get(priority);
                State s = state(name, priority, stateDir, priorities.isPresent() ? nameLines.get(name) : 0);
                int line = sectionLine(name);
                if (s.isDefault()) {
                    if (defaultState != null) {
                        throw new ConfigException(file, line, "states '" + defaultState.name() + "' (line " + defaultLine + ") and '"
                                + name + "' both have no 'file'; exactly one state (the default) has none");
                    }
                    defaultState = s;
                    defaultLine = line;
                } else {
                    String other = fileOwner.put(s.file(), name);
                    if (other != null) {
                        // A built-in state has no section: then the line is the other one's.
                        throw new ConfigException(file, line > 0 ? line : sectionLine(other),
                                "state '" + name + "' uses the same file as '" + other + "': " + s.file());
                    }
                }
                String verbOf = verbOwner.put(s.verb(), name);
                if (verbOf != null) {
                    throw new ConfigException(file, line, "state '" + name + "' has the command '" + s.verb() + "' of state '" + verbOf + "'");
                }
                states.add(s);
            }
            for (State s : states) {
                String owner = verbOwner.get(s.name());
                if (owner != null && !owner.equals(s.name())) {
                    throw new ConfigException(file, sectionLine(owner),
                            "state '" + owner + "' has the command '" + s.name() + "', which is the name of another state");
                }
            }
            if (defaultState == null) {
                throw new ConfigException(file, noDefaultLine(states),
                        "no default state: exactly one state must have no 'file'");
            }
            return new StateTable(states);
        }

        private State state(String name, int priority, Path stateDir, int priorityLine) throws ConfigException {
            if (!STATE_NAME.matcher(name).matches()) {
                throw new ConfigException(file, priorityLine, "state name '" + name
                        + "' is not valid (lower-case letters, digits, '_', '-', '.'; starting with a letter or digit)");
            }
            boolean builtIn = ini.section("priorities").isEmpty();
            Optional<IniFile.Section> found = ini.section(name);
            if (found.isEmpty()) {
                if (builtIn) return classicState(name, priority, stateDir);
                throw new ConfigException(file, priorityLine, "[priorities] states names '" + name + "', which has no [" + name + "] section");
            }
            IniFile.Section s = found.get();
            Map<String, String> headers = new LinkedHashMap<>();
            for (IniFile.Entry e : s.entries().values()) {
                String key = e.key().toLowerCase(Locale.ROOT);
                if (key.startsWith("header.")) {
                    String header = e.key().substring("header.".length());
                    if (!TOKEN.matcher(header).matches()) {
                        throw new ConfigException(file, e.line(), "'" + e.key() + "': '" + header + "' is not a valid header name");
                    }
                    if (OWN_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
                        throw new ConfigException(file, e.line(), "'" + e.key() + "': plight sets the " + header + " header itself");
                    }
                    headers.put(header, printable(e, "header value"));
                } else if (!Set.of("file", "code", "message", "command", "agent", "grpc").contains(key)) {
                    throw new ConfigException(file, e.line(), "unknown key '" + e.key() + "' in state [" + name
                            + "] (valid: file, code, message, command, agent, grpc, header.NAME)");
                }
            }
            IniFile.Entry codeEntry = s.get("code").orElse(null);
            if (codeEntry == null) {
                throw new ConfigException(file, s.line(), "state [" + name + "] has no 'code' (an HTTP status code 200-599)");
            }
            // A 1xx status is not a final answer: a prober would wait for the response that never follows.
            int code = parseInt(codeEntry, 200, 599, "an HTTP status code 200-599"
                    + (informational(codeEntry.value()) ? " (1xx is not a final status)" : ""));
            String message = s.get("message").isPresent() ? printable(s.get("message").get(), "message") : name;
            Path stateFile = null;
            Optional<IniFile.Entry> fileEntry = s.get("file");
            if (fileEntry.isPresent()) {
                String v = fileEntry.get().value();
                if (v.isEmpty()) {
                    throw new ConfigException(file, fileEntry.get().line(), "'file' is empty; leave the key out for the default state");
                }
                stateFile = absolute(Path.of(printable(fileEntry.get(), "path")));
            }
            String verb = CLASSIC_VERBS.getOrDefault(name, name);
            Optional<IniFile.Entry> command = s.get("command");
            if (command.isPresent()) {
                verb = command.get().value().toLowerCase(Locale.ROOT);
                if (!STATE_NAME.matcher(verb).matches()) {
                    throw new ConfigException(file, command.get().line(), "command '" + command.get().value()
                            + "' is not valid (lower-case letters, digits, '_', '-', '.')");
                }
            }
            if (ReservedCommands.NAMES.contains(verb)) {
                throw new ConfigException(file, command.isPresent() ? command.get().line() : s.line(), "state [" + name + "] would take the command '"
                        + verb + "', which is a built-in command; set 'command' to another word");
            }
            String agentLine = s.get("agent").isPresent()
                    ? agentLine(s.get("agent").get())
                    : defaultAgentLine(stateFile == null, code, message);
            Boolean grpc = oneOf(s, "grpc", " in state [" + name + "]", Map.entry("serving", true), Map.entry("not_serving", false))
                    .orElse(null);
            return new State(name, stateFile, code, message, verb, agentLine, headers, priority, grpc);
        }

        private State classicState(String name, int priority, Path stateDir) {
            return switch (name) {
                case "enabled" -> new State(name, null, 200, "OK", "enable", "up ready", Map.of(), priority);
                case "disabled" -> new State(name, stateDir.resolve("node_disabled"), 404, "node is unavailable", "disable", "up drain", Map.of(), priority);
                default -> new State(name, stateDir.resolve("node_offline"), 503, "node is offline", "offline", "down # node is offline", Map.of(), priority);
            };
        }

        private IniFile.Section section(String name, Set<String> keys) throws ConfigException {
            IniFile.Section s = ini.section(name).orElse(new IniFile.Section(name, 0, Map.of()));
            checkKeys(s, keys);
            return s;
        }

        private void checkKeys(IniFile.Section s, Set<String> keys) throws ConfigException {
            for (IniFile.Entry e : s.entries().values()) {
                if (!keys.contains(e.key().toLowerCase(Locale.ROOT))) {
                    List<String> valid = new ArrayList<>(keys);
                    valid.sort(null);
                    throw new ConfigException(file, e.line(), "unknown key '" + e.key() + "' in [" + s.name() + "] (valid: "
                            + String.join(", ", valid) + ")");
                }
            }
        }

        /** @param formatKey the key naming the line format: {@code format} or {@code logformat} */
        private LogSettings logSettings(IniFile.Section s, Path defaultFile, String formatKey) throws ConfigException {
            String level = "info";
            Optional<IniFile.Entry> l = s.get("loglevel");
            if (l.isPresent()) {
                level = LEVELS.get(l.get().value().toLowerCase(Locale.ROOT));
                if (level == null) {
                    throw new ConfigException(file, l.get().line(), "loglevel '" + l.get().value()
                            + "' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL, OFF");
                }
            }
            return new LogSettings(path(s, "logfile", defaultFile), level,
                    s.get("filesize").isPresent() ? parseLong(s.get("filesize").get(), MIN_FILESIZE, Long.MAX_VALUE,
                            "a size in bytes of at least " + MIN_FILESIZE + " (e.g. 1024000 for about 1 MB)") : 1_024_000L,
                    integer(s, "rotationcount", 10, 0, 1000), json(s, formatKey));
        }

        private boolean json(IniFile.Section s, String key) throws ConfigException {
            return oneOf(s, key, "", Map.entry("text", false), Map.entry("json", true)).orElse(false);
        }

        /**
         * What the word {@code key} holds (any case) stands for in {@code choices}; empty when the key is absent.
         * {@code where} goes into the error after the word, e.g. " in state [x]".
         */
        @SafeVarargs
        private <T> Optional<T> oneOf(IniFile.Section s, String key, String where, Map.Entry<String, T>... choices)
                throws ConfigException {
            Optional<IniFile.Entry> e = s.get(key);
            if (e.isEmpty()) return Optional.empty();
            String word = e.get().value().toLowerCase(Locale.ROOT);
            for (Map.Entry<String, T> c : choices) {
                if (c.getKey().equals(word)) return Optional.of(c.getValue());
            }
            throw new ConfigException(file, e.get().line(), key + " '" + e.get().value() + "'" + where + " is not one of "
                    + Arrays.stream(choices).map(Map.Entry::getKey).collect(Collectors.joining(", ")));
        }

        private TransportChoice transport(IniFile.Section s) throws ConfigException {
            Optional<IniFile.Entry> e = s.get("transport");
            if (e.isEmpty()) return TransportChoice.AUTO;
            return TransportChoice.of(e.get().value()).orElseThrow(() -> new ConfigException(file, e.get().line(),
                    "transport '" + e.get().value() + "' is not one of auto, io_uring, epoll, nio"));
        }

        private List<String> hosts(IniFile.Section s, String dflt) throws ConfigException {
            Optional<IniFile.Entry> e = s.get("host");
            if (e.isEmpty()) return List.of(dflt);
            List<String> hosts = new ArrayList<>();
            for (String h : printable(e.get(), "host list").split(",")) {
                String host = h.strip();
                if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
                if (host.isEmpty() || host.indexOf(' ') >= 0 || host.indexOf('\t') >= 0) {
                    throw new ConfigException(file, e.get().line(), "host '" + e.get().value()
                            + "' is not a comma-separated list of addresses (e.g. 0.0.0.0, ::)");
                }
                hosts.add(host);
            }
            return hosts;
        }

        private String string(IniFile.Section s, String key, String dflt) throws ConfigException {
            Optional<IniFile.Entry> e = s.get(key);
            return e.isPresent() && !e.get().value().isEmpty() ? printable(e.get(), "value") : dflt;
        }

        private Path path(IniFile.Section s, String key, Path dflt) throws ConfigException {
            Optional<IniFile.Entry> e = s.get(key);
            if (e.isEmpty()) return dflt;
            if (e.get().value().isEmpty()) {
                throw new ConfigException(file, e.get().line(), "'" + key + "' is empty (expected a path)");
            }
            return absolute(Path.of(printable(e.get(), "path")));
        }

        private int integer(IniFile.Section s, String key, int dflt, int min, int max) throws ConfigException {
            Optional<IniFile.Entry> e = s.get(key);
            return e.isEmpty() ? dflt : parseInt(e.get(), min, max, "a whole number " + min + "-" + max);
        }

        private int mode(IniFile.Section s, String key, int dflt) throws ConfigException {
            Optional<IniFile.Entry> e = s.get(key);
            if (e.isEmpty()) return dflt;
            String v = e.get().value();
            if (!v.matches("0?[0-7]{3}")) {
                throw new ConfigException(file, e.get().line(), "mode '" + v + "' is not an octal permission like 0660");
            }
            return Integer.parseInt(v, 8);
        }

        private Duration duration(IniFile.Section s, String key, Duration dflt) throws ConfigException {
            Optional<IniFile.Entry> e = s.get(key);
            if (e.isEmpty()) return dflt;
            try {
                return Durations.parsePositive("'" + key + "'", e.get().value());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(file, e.get().line(), ex.getMessage());
            }
        }

        /** Whether {@code value} is a 1xx status, which needs saying why it is refused although it is a status. */
        private static boolean informational(String value) {
            try {
                long n = Long.parseLong(value);
                return n >= 100 && n <= 199;
            } catch (NumberFormatException notANumber) {
                return false;
            }
        }

        private int parseInt(IniFile.Entry e, int min, int max, String expected) throws ConfigException {
            return (int) parseLong(e, min, max, expected);
        }

        private long parseLong(IniFile.Entry e, long min, long max, String expected) throws ConfigException {
            try {
                long v = Long.parseLong(e.value());
                if (v >= min && v <= max) return v;
            } catch (NumberFormatException ignored) {
                // reported below with what is valid
            }
            throw new ConfigException(file, e.line(), "'" + e.key() + " = " + e.value() + "' is not " + expected);
        }

        private String agentLine(IniFile.Entry e) throws ConfigException {
            String line = printable(e, "agent line");
            List<String> notes = new ArrayList<>();
            String problem = AgentLine.problem(line, notes);
            if (problem != null) throw new ConfigException(file, e.line(), problem);
            notes.forEach(n -> warnings.add(where(e.line()) + n));
            return line;
        }

        private String printable(IniFile.Entry e, String what) throws ConfigException {
            String v = e.value();
            int at = plight.text.Controls.indexOf(v);
            if (at >= 0) {
                throw new ConfigException(file, e.line(), what + " of '" + e.key() + "' contains "
                        + (v.charAt(at) == '\n' ? "a line break (a continuation line)" : "the control character " + plight.text.Controls.describe(v, at))
                        + "; it must be one line of printable text");
            }
            return v;
        }

        private Path absolute(Path p) {
            if (p.isAbsolute() || file == null) return p.toAbsolutePath().normalize();
            Path dir = file.toAbsolutePath().getParent();
            return dir.resolve(p).normalize();
        }

        /** [priorities], else (the built-in list) the first state's 'file' line: one of them must go. */
        private int noDefaultLine(List<State> states) {
            int line = sectionLine("priorities");
            for (int i = 0; line == 0 && i < states.size(); i++) {
                line = ini.section(states.get(i).name()).flatMap(sec -> sec.get("file")).map(IniFile.Entry::line).orElse(0);
            }
            return line;
        }

        private int sectionLine(String name) {
            Optional<IniFile.Section> s = ini.section(name);
            return s.isPresent() ? s.get().line() : 0;
        }

        private String where(int line) {
            return (file == null ? "built-in defaults" : file.toString()) + (line > 0 ? ":" + line : "") + ": ";
        }
    }

    /** SPEC's defaults when a state has no {@code agent} key. */
    static String defaultAgentLine(boolean isDefault, int code, String message) {
        if (isDefault || code / 100 == 2) return "up ready";
        if (code == 404) return "up drain";
        return "down # " + message;
    }
}
