package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One plight node for the end-to-end tests: a config in a test directory (127.0.0.1, free ports, socket, pidfile,
 * state and log files all inside it), {@code bin/plight} runs against it, {@code bin/plight start} as a daemon
 * subprocess, and raw-socket probes of its ports.
 */
final class PlightNode {
    /** The original plight.conf's states with every path in the test directory and the probe port free. */
    static final String CONF = String.join("\n",
            "[webserver]",
            "host = 127.0.0.1",
            "port = @PORT@",
            "logfile = @DIR@/log/access.log",
            "loglevel = @ACCESS@",
            "[logging]",
            "logfile = @DIR@/log/plight.log",
            "loglevel = INFO",
            "[control]",
            "socket = @DIR@/run/control.sock",
            "mode = @MODE@",
            "[daemon]",
            "pidfile = @DIR@/run/plight.pid",
            "[agent]",
            "host = 127.0.0.1",
            "port = @AGENT@",
            "[priorities]",
            "states = enabled,disabled,offline",
            "[enabled]",
            "code = 200",
            "message = OK",
            "[disabled]",
            "file = @DIR@/state/node_disabled",
            "code = 404",
            "message = node is unavailable",
            "[offline]",
            "file = @DIR@/state/node_offline",
            "code = 503",
            "message = node is offline",
            "");

    final Path dir;
    final Path conf;
    final int port;
    final int agentPort;
    String access = "INFO";
    String mode = "0660";
    /** The JDK bin/plight runs on ({@code JAVA_HOME}); null: the one of the build's environment. */
    Path javaHome = Jdks.configured().orElse(null);
    /** Where the daemon's control socket is; change it together with the config's {@code [control] socket}. */
    Path socket;
    /** The {@code bin/plight} this node runs: the build's, or an open copy ({@link #useOpenCopy()}). */
    private Path plight;
    private final List<Daemon> daemons = new ArrayList<>();

    record Result(int exit, String out, String err, long pid) {
        @Override
        public String toString() {
            return "exit " + exit + " (pid " + pid + ")\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    PlightNode(Path dir) throws IOException {
        this.dir = dir;
        this.conf = dir.resolve("plight.conf");
        this.port = freePort();
        this.agentPort = freePort();
        this.socket = dir.resolve("run/control.sock");
        this.plight = bin();
        writeConf(CONF);
    }

    static Path bin() {
        String path = System.getProperty("plight.bin");
        assertTrue(path != null, "the system property plight.bin names bin/plight (set by the packaging pom)");
        Path bin = Path.of(path);
        assertTrue(Files.isExecutable(bin), bin + " is not an executable; run through 'mvn verify' so that it is laid out first");
        return bin;
    }

    /**
     * Makes this node run a copy of the distribution that every user can read, under {@code dir/dist}: the checkout
     * may be in a folder other users cannot enter (/root, a mktemp -d folder), and tests run plight as another user.
     * Directories and {@code bin/*} get mode 0755, other files 0644, whatever the umask and the original's modes.
     */
    PlightNode useOpenCopy() throws IOException {
        Path from = bin().getParent().getParent();
        Path to = dir.resolve("dist");
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                boolean directory = Files.isDirectory(f);
                if (directory) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
                boolean executable = directory || from.relativize(f).startsWith("bin");
                Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString(
                        executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        plight = to.resolve("bin/plight");
        return this;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Writes the config from a template with {@code @DIR@}, {@code @PORT@}, {@code @AGENT@}, {@code @ACCESS@}, {@code @MODE@}. */
    PlightNode writeConf(String template) throws IOException {
        Files.writeString(conf, template.replace("@DIR@", dir.toString()).replace("@PORT@", Integer.toString(port))
                .replace("@AGENT@", Integer.toString(agentPort)).replace("@ACCESS@", access).replace("@MODE@", mode),
                StandardCharsets.UTF_8);
        return this;
    }

    Path socket() {
        return socket;
    }

    Path pidFile() {
        return dir.resolve("run/plight.pid");
    }

    Path marker(String state) {
        return dir.resolve("state/node_" + state);
    }

    Path appLog() {
        return dir.resolve("log/plight.log");
    }

    Path accessLog() {
        return dir.resolve("log/access.log");
    }

    // --- the CLI ---------------------------------------------------------------------------------------------

    /** {@code bin/plight -c CONF ARGS...}. */
    Result plight(String... args) throws Exception {
        return run(List.of(), Map.of(), args);
    }

    /**
     * {@code PREFIX... bin/plight -c CONF ARGS...}, e.g. under {@code setpriv} as another user. The CLI is made to
     * {@code exec} its JVM (no class-data-sharing archive is written by this run), so that the process we start
     * is the one that talks to the daemon and {@link Result#pid} is the pid the daemon sees.
     */
    Result run(List<String> prefix, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = command(prefix, args);
        pb.environment().remove("PLIGHT_CONF");
        pb.environment().putAll(env);
        return run(pb, args);
    }

    /**
     * {@code bin/plight -c CONF ARGS...} with {@code env} as its whole environment besides {@code PATH} and
     * {@code JAVA_HOME} (to find java): no {@code LANG} or {@code LC_*} unless given, as under cron.
     */
    Result runInEnvironment(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = command(List.of(), args);
        Map<String, String> inherited = Map.copyOf(pb.environment());
        pb.environment().clear();
        for (String keep : List.of("PATH", "JAVA_HOME")) {
            if (inherited.containsKey(keep)) pb.environment().put(keep, inherited.get(keep));
        }
        pb.environment().putAll(env);
        return run(pb, args);
    }

    private ProcessBuilder command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(plight.toString());
        cmd.add("-c");
        cmd.add(conf.toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    private Result run(ProcessBuilder pb, String... args) throws Exception {
        pb.environment().put("PLIGHT_NO_CDS", "1");
        if (javaHome != null) pb.environment().put("JAVA_HOME", javaHome.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("plight " + List.of(args) + " did not finish within 60s");
        }
        return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8), p.pid());
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // --- the daemon ------------------------------------------------------------------------------------------

    /** A {@code bin/plight start} subprocess, its output in files of the test directory. */
    final class Daemon {
        final Process process;
        final Path out;
        final Path err;

        Daemon(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        long pid() {
            return process.pid();
        }

        String output() {
            try {
                return "--- daemon stdout\n" + Files.readString(out) + "--- daemon stderr\n" + Files.readString(err);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        /** Waits for the exit; fails with the daemon's output when it does not come within {@code timeout}. */
        int exit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the daemon did not exit within " + timeout.toMillis() + " ms\n" + output());
            }
            return process.exitValue();
        }

        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " failed");
        }
    }

    /** Starts the daemon and returns once its control socket greets and its probe port answers. */
    Daemon start() throws Exception {
        return awaitUp(spawn(List.of(), Map.of()));
    }

    /** {@code PREFIX... bin/plight -c CONF start}, e.g. under {@code setpriv} as another user, as {@link #start()}. */
    Daemon start(List<String> prefix, Map<String, String> env) throws Exception {
        return awaitUp(spawn(prefix, env));
    }

    /** Starts the daemon and returns at once. */
    Daemon spawn() throws Exception {
        return spawn(List.of(), Map.of());
    }

    private Daemon spawn(List<String> prefix, Map<String, String> env) throws Exception {
        int n = daemons.size();
        Path out = dir.resolve("daemon-" + n + ".out");
        Path err = dir.resolve("daemon-" + n + ".err");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(plight.toString(), "-c", conf.toString(), "start"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().remove("PLIGHT_CONF");
        if (javaHome != null) pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().putAll(env);
        Daemon d = new Daemon(pb.start(), out, err);
        daemons.add(d);
        return d;
    }

    /** Returns once the daemon's control socket greets and its probe port answers; fails if it exits first. */
    Daemon awaitUp(Daemon d) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(greets(socket()) && answers(port))) {
            if (!d.process.isAlive()) {
                throw new AssertionError("the daemon exited with " + d.process.exitValue() + " while starting\n" + d.output());
            }
            if (System.nanoTime() - deadline > 0) throw new AssertionError("the daemon did not come up within 20s\n" + d.output());
            Thread.sleep(20);
        }
        return d;
    }

    /** Kills whatever daemon a test left running. */
    void cleanUp() throws InterruptedException {
        for (Daemon d : daemons) {
            if (d.process.isAlive()) {
                d.process.destroyForcibly();
                d.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Whether a plight control socket answers on {@code socket} with its greeting. */
    static boolean greets(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer buf = ByteBuffer.allocate(16);
            while (buf.position() < 9) {
                if (ch.read(buf) < 0) return false;
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).equals("PLIGHT 1\n");
        } catch (IOException e) {
            return false;
        }
    }

    static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            Thread.sleep(10);
        }
    }

    // --- probes ----------------------------------------------------------------------------------------------

    /** One response as received. */
    record Response(int code, String reason, Map<String, String> headers, String body, int size) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A keep-alive connection to the probe port. */
    static final class Http implements AutoCloseable {
        final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Http(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Response get() throws IOException {
            out.write("GET / HTTP/1.1\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return read();
        }

        Response read() throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String status = line(raw);
            String[] parts = status.split(" ", 3);
            if (parts.length < 3 || !parts[0].startsWith("HTTP/1.")) throw new IOException("malformed status line: " + status);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l; !(l = line(raw)).isEmpty(); ) {
                int colon = l.indexOf(':');
                if (colon <= 0) throw new IOException("malformed header: " + l);
                headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            raw.writeBytes(body);
            return new Response(Integer.parseInt(parts[1]), parts[2], headers, new String(body, StandardCharsets.UTF_8), raw.size());
        }

        /** True when the server closes the connection (end of input or reset) before sending anything more. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (java.net.SocketException reset) {
                return true;
            }
        }

        private String line(ByteArrayOutputStream raw) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; ; ) {
                b = in.read();
                if (b < 0) throw new EOFException("closed after " + raw.size() + " bytes of a response");
                raw.write(b);
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    return new String(bytes, 0, Math.max(0, bytes.length - 1), StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    Response probe() throws IOException {
        try (Http h = new Http(port)) {
            return h.get();
        }
    }

    /** What the agent-check port says before it closes. */
    String agent() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", agentPort), 5000);
            s.setSoTimeout(5000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // --- JSON, strictly enough to tell valid from invalid ----------------------------------------------------

    /** Parses one JSON value (objects as ordered maps, numbers as Long or Double); throws on anything invalid. */
    static Object json(String text) {
        Json p = new Json(text.strip());
        Object v = p.value();
        if (p.at != p.s.length()) throw new IllegalArgumentException("trailing text at " + p.at + ": " + text);
        return v;
    }

    private static final class Json {
        final String s;
        int at;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            if (at >= s.length()) throw bad("end of input");
            char c = s.charAt(at);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                at++;
                skip();
                if (peek('}')) return m;
                do {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    if (m.put(k, value()) != null) throw bad("duplicate key " + k);
                    skip();
                } while (peek(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                at++;
                skip();
                if (peek(']')) return l;
                do {
                    l.add(value());
                    skip();
                } while (peek(','));
                expect(']');
                return l;
            }
            if (c == '"') return string();
            for (String lit : List.of("true", "false", "null")) {
                if (s.startsWith(lit, at)) {
                    at += lit.length();
                    return lit.equals("null") ? null : Boolean.valueOf(lit);
                }
            }
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) at++;
            String num = s.substring(start, at);
            if (!num.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) throw bad("not a value: '" + num + "'");
            return num.matches("-?\\d+") ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (at >= s.length()) throw bad("unterminated string");
                char c = s.charAt(at++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw bad("control character in a string");
                if (c == '\\') {
                    char e = s.charAt(at++);
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> throw bad("bad escape \\" + e);
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        boolean peek(char c) {
            if (at < s.length() && s.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!peek(c)) throw bad("expected '" + c + "'");
        }

        void skip() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
        }

        IllegalArgumentException bad(String what) {
            return new IllegalArgumentException("invalid JSON at " + at + ": " + what + " in " + s);
        }
    }
}
