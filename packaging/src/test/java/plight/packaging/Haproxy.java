package plight.packaging;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import plight.testkit.Processes;
import plight.testkit.UnixText;

/**
 * A real HAProxy for the end-to-end tests: {@code haproxy -f CFG -db} as a subprocess with its output in a file,
 * and a client of its admin stats socket ({@code show stat}, {@code show servers state}).
 */
final class Haproxy implements AutoCloseable {
    /** {@code srv_op_state} of {@code show servers state}: SRV_ST_STOPPED, SRV_ST_RUNNING. */
    static final int OP_STOPPED = 0, OP_RUNNING = 2;
    /** {@code srv_admin_state} bits: SRV_ADMF_FDRAIN (forced, which the agent's {@code drain} sets), SRV_ADMF_IDRAIN. */
    static final int ADMIN_DRAIN = 0x08 | 0x10;
    /** Bound for start-up: the daemon, haproxy, and the first checks passing, on a loaded CI machine. */
    static final Duration START = Duration.ofSeconds(30);

    /** The global and defaults sections of every HAProxy in the tests; {@code @SOCKET@} is filled in here. */
    static final String HEAD = String.join("\n",
            "global",
            "    stats socket @SOCKET@ mode 600 level admin",
            "defaults",
            "    timeout connect 2s",
            "    timeout client 30s",
            "    timeout server 30s",
            // Without it a check's whole exchange must fit in 'inter' (100 ms): a GC pause would fail checks.
            "    timeout check 3s",
            "");

    final Path cfg;
    final Path socket;
    final Path log;
    private final Process process;

    /** One server as HAProxy sees it: {@code show stat}'s row and {@code show servers state}'s line. */
    record Server(Map<String, String> stat, Map<String, String> state) {
        String status() {
            return stat.get("status");
        }

        int opState() {
            return Integer.parseInt(state.get("srv_op_state"));
        }

        int adminState() {
            return Integer.parseInt(state.get("srv_admin_state"));
        }

        boolean drain() {
            return (adminState() & ADMIN_DRAIN) != 0;
        }

        @Override
        public String toString() {
            return "status=" + status() + " op_state=" + state.get("srv_op_state") + " admin_state=" + state.get("srv_admin_state")
                    + " weight=" + stat.get("weight") + " uweight=" + state.get("srv_uweight")
                    + " check=" + stat.get("check_status") + "/" + stat.get("check_code") + " last_chk=" + stat.get("last_chk")
                    + " agent=" + stat.get("agent_status") + " last_agt=" + stat.get("last_agt");
        }
    }

    /** The haproxy executable, or empty when it is not installed. */
    static Optional<Path> executable() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/local/sbin/haproxy")));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) candidates.add(Path.of(d, "haproxy"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Writes {@code config} (with {@code @SOCKET@} replaced by the stats socket's path) and starts haproxy on it. */
    Haproxy(Path exe, Path dir, String config) throws IOException {
        this.cfg = dir.resolve("haproxy.cfg");
        this.socket = dir.resolve("haproxy.sock");
        this.log = dir.resolve("haproxy.log");
        Files.writeString(cfg, config.replace("@SOCKET@", socket.toString()), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-f", cfg.toString(), "-db").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        this.process = pb.start();
    }

    long pid() {
        return process.pid();
    }

    String output() {
        return Processes.outputFiles(Map.entry("haproxy.cfg", cfg), Map.entry("haproxy output", log));
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** Returns once the stats socket answers; fails with haproxy's output if it exits or the deadline passes. */
    void awaitSocket(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("haproxy exited with " + process.exitValue() + " while starting\n" + output());
            }
            if (Files.exists(socket)) {
                try {
                    if (command("show info").contains("Pid:")) return;
                } catch (IOException e) {
                    last = e;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("haproxy's stats socket did not answer within " + timeout.toMillis() + " ms (" + last + ")\n" + output());
            }
            Thread.sleep(20);
        }
    }

    /** One command on the stats socket (non-interactive: haproxy answers and closes), bounded to 5 s. */
    String command(String command) throws IOException, InterruptedException {
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return UnixText.exchange(socket, command + "\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no answer to '" + command + "' on " + socket + " within 5 s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
        }
    }

    /** The server {@code backend/server} from {@code show stat} and {@code show servers state}. */
    Server server(String backend, String server) throws IOException, InterruptedException {
        Map<String, String> stat = null;
        String csv = command("show stat");
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) throw new IOException("unexpected 'show stat' answer: " + csv);
        List<String> columns = csv(lines.get(0).substring(2));
        for (String line : lines.subList(1, lines.size())) {
            List<String> values = csv(line);
            if (values.size() >= 2 && values.get(0).equals(backend) && values.get(1).equals(server)) {
                stat = new LinkedHashMap<>();
                for (int i = 0; i < columns.size() && i < values.size(); i++) stat.put(columns.get(i), values.get(i));
            }
        }
        if (stat == null) throw new IOException("no " + backend + "/" + server + " in 'show stat':\n" + csv);

        Map<String, String> state = null;
        String text = command("show servers state " + backend);
        List<String> header = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("# ")) {
                header = Arrays.asList(line.substring(2).trim().split(" "));
            } else if (header != null && !line.isBlank()) {
                String[] values = line.trim().split(" ");
                int name = header.indexOf("srv_name");
                if (name >= 0 && name < values.length && values[name].equals(server)) {
                    state = new LinkedHashMap<>();
                    for (int i = 0; i < header.size() && i < values.length; i++) state.put(header.get(i), values[i]);
                }
            }
        }
        if (state == null) throw new IOException("no " + backend + "/" + server + " in 'show servers state':\n" + text);
        return new Server(stat, state);
    }

    /** {@code show stat}'s CSV: fields separated by commas, a field with a comma or quote in double quotes. */
    private static List<String> csv(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    /** Stops haproxy: SIGTERM (with -db it exits at once), SIGKILL if it is still there after 10 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
