package plight.bench;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StateFlipper} that runs one command per change, cycling through its steps; a command's exit status 0
 * is the acknowledgement. {@link #close()} finishes the cycle so that the node ends in the last step's state
 * (by default {@code enabled}).
 */
final class CommandFlipper implements StateFlipper {
    static final long COMMAND_TIMEOUT_SECONDS = 60;

    /**
     * One state change.
     *
     * @param state   the state the command puts the node in (what {@code X-Plight-State} shows afterwards)
     * @param command the command line
     */
    record Step(String state, List<String> command) {
        Step {
            command = List.copyOf(command);
        }

        /** {@code STATE=COMMAND}; the command runs through {@code /bin/sh -c}. */
        static Step parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1 || !spec.substring(0, eq).matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("'" + spec + "' is not valid; expected STATE=COMMAND, e.g."
                        + " 'disabled=plight -c /etc/plight/plight.conf disable'");
            }
            return new Step(spec.substring(0, eq), List.of("/bin/sh", "-c", spec.substring(eq + 1)));
        }

        String display() {
            if (command.size() == 3 && command.get(0).equals("/bin/sh") && command.get(1).equals("-c")) {
                return command.get(2);
            }
            return String.join(" ", command);
        }
    }

    private final List<Step> steps;
    private int next;
    private int flips;
    private boolean closed;

    CommandFlipper(List<Step> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no flip steps");
        }
        this.steps = List.copyOf(steps);
    }

    List<Step> steps() {
        return steps;
    }

    synchronized int flips() {
        return flips;
    }

    @Override
    public synchronized String flip() throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("state restored, no more flips"); // e.g. the exit hook ran on Ctrl-C
        }
        return step();
    }

    private String step() throws IOException, InterruptedException {
        Step step = steps.get(next);
        next = (next + 1) % steps.size();
        run(step);
        flips++;
        return step.state();
    }

    /** Completes the cycle, so that the node ends in the last step's state. */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        closed = true;
        while (next != 0) {
            step();
        }
    }

    private static void run(Step step) throws IOException, InterruptedException {
        File out = File.createTempFile("plight-bench-flip", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(step.command()).redirectErrorStream(true)
                        .redirectOutput(out).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException e) {
                throw new IOException("cannot run '" + step.display() + "': " + e.getMessage(), e);
            }
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + step.display() + "' did not finish within " + COMMAND_TIMEOUT_SECONDS + "s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("'" + step.display() + "' exited with status " + p.exitValue()
                        + tail(out.toPath()));
            }
        } finally {
            Files.deleteIfExists(out.toPath());
        }
    }

    private static String tail(Path file) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(buf);
        }
        String text = buf.toString(StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() > 500 ? "..." + text.substring(text.length() - 500) : text);
    }
}
