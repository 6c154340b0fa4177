package plight.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Subprocesses for the tests: run one to its end, ask a tool for its exit status, tell whether a pid has exited. */
public final class Processes {
    private Processes() {
    }

    /** What a finished process said. */
    public record Result(int exit, String out, String err, long pid) {
        @Override
        public String toString() {
            return "exit " + exit + " (pid " + pid + ")\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Starts {@code pb} with no input and waits for it, its output read meanwhile; fails past {@code timeout}. */
    public static Result run(ProcessBuilder pb, Duration timeout) throws Exception {
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(pb.command() + " did not finish within " + timeout.toSeconds() + "s");
        }
        return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
                new String(err.get(), StandardCharsets.UTF_8), p.pid());
    }

    /** The exit status of {@code cmd}, its output discarded; -1 when it cannot be run or takes over 30 s. */
    public static int status(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Gone, or a zombie: exited, not yet reaped by its parent. */
    public static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException gone) {
            return true;
        }
    }

    /**
     * What a process wrote to files, each after a {@code --- name} line, for a failure message. Never throws: a file
     * that cannot be read says so in its place.
     */
    @SafeVarargs
    public static String outputFiles(Map.Entry<String, Path>... files) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Path> f : files) {
            text.append("--- ").append(f.getKey()).append('\n');
            try {
                text.append(Files.readString(f.getValue()));
            } catch (IOException e) {
                text.append("(cannot read ").append(f.getValue()).append(": ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
