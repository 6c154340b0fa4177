package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import plight.testkit.Confs;
import plight.testkit.Ports;
import plight.testkit.Processes.Result;
import plight.testkit.Processes;
import plight.testkit.RawHttp;

/**
 * One plight node for the end-to-end tests: a config in a test directory (127.0.0.1, free ports, socket, pidfile,
 * state and log files all inside it), {@code bin/plight} runs against it, {@code bin/plight start} as a daemon
 * subprocess, and raw-socket probes of its ports.
 */
final class PlightNode {
    /** The original plight.conf's states with every path in the test directory and the probe port free. */
    static final String CONF = Confs.NODE;

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

    PlightNode(Path dir) throws IOException {
        this.dir = dir;
        this.conf = dir.resolve("plight.conf");
        this.port = Ports.free();
        this.agentPort = Ports.free();
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

    /**
     * A node other users may run against: its directory and config readable by all, an {@link #useOpenCopy() open
     * copy} of the distribution, a 0600 socket.
     */
    static PlightNode openToOthers(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        PlightNode node = new PlightNode(dir).useOpenCopy();
        node.mode = "0600";
        node.writeConf(CONF);
        Files.setPosixFilePermissions(node.conf, PosixFilePermissions.fromString("rw-r--r--"));
        return node;
    }

    /**
     * {@link #openToOthers} with run/, state/ and log/ open to read, for tests that run plight as other users; skips
     * the test unless it runs as root (root bypasses socket modes, and only root can run plight as another user)
     * with setpriv, in a directory other users can enter.
     */
    static PlightNode forOtherUsers(Path dir) throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        Assumptions.assumeTrue(uid == 0, "needs root: root bypasses socket modes, and only root can run plight as another user");
        Assumptions.assumeTrue(Processes.status("setpriv", "--version") == 0, "needs setpriv (util-linux) to run plight as another user");
        // The other user must reach the config, the socket's directory and bin/plight.
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Assumptions.assumeTrue(Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE),
                    "the test directory's parent " + p + " is closed to other users (no o+x), so plight cannot run as one there");
        }
        PlightNode node = openToOthers(dir);
        for (String sub : List.of("run", "state", "log")) {
            Files.setPosixFilePermissions(Files.createDirectories(dir.resolve(sub)), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return node;
    }

    /** Rewrites the config as {@link #CONF} with a {@code [metrics]} section on a free port; returns that port. */
    int withMetricsPort() throws IOException {
        int metricsPort = Ports.free();
        writeConf(CONF + "[metrics]\nport = " + metricsPort + "\n");
        return metricsPort;
    }

    /** Writes the config from a template with {@code @DIR@}, {@code @PORT@}, {@code @AGENT@}, {@code @ACCESS@}, {@code @MODE@}. */
    PlightNode writeConf(String template) throws IOException {
        Confs.write(conf, Confs.fill(template, Map.of("DIR", dir.toString(), "PORT", Integer.toString(port),
                "AGENT", Integer.toString(agentPort), "ACCESS", access, "MODE", mode)));
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
        return Processes.run(pb, Duration.ofSeconds(60));
    }

    // --- the daemon ------------------------------------------------------------------------------------------

    /** A {@code bin/plight start} subprocess, its output in files of the test directory. */
    record Daemon(Process process, Path out, Path err) {
        long pid() {
            return process.pid();
        }

        String output() {
            return Processes.outputFiles(Map.entry("daemon stdout", out), Map.entry("daemon stderr", err));
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
            if (!d.process().isAlive()) {
                throw new AssertionError("the daemon exited with " + d.process().exitValue() + " while starting\n" + d.output());
            }
            if (System.nanoTime() - deadline > 0) throw new AssertionError("the daemon did not come up within 20s\n" + d.output());
            Thread.sleep(20);
        }
        return d;
    }

    /** Kills whatever daemon a test left running. */
    void cleanUp() throws InterruptedException {
        for (Daemon d : daemons) {
            if (d.process().isAlive()) {
                d.process().destroyForcibly();
                d.process().waitFor(10, TimeUnit.SECONDS);
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

    // --- probes ----------------------------------------------------------------------------------------------

    RawHttp.Response probe() throws IOException {
        return RawHttp.once(port);
    }

    /** What the agent-check port says before it closes. */
    String agent() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", agentPort), 5000);
            s.setSoTimeout(5000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
