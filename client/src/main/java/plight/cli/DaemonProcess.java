package plight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The daemon's process, as the CLI waits for it to end after a stop. */
final class DaemonProcess {
    private static final long POLL_MILLIS = 10;

    private DaemonProcess() {
    }

    /**
     * Waits until process {@code pid} has ended, at most {@code timeout}; true once it has. A zombie (exited, not
     * yet reaped by a parent that is busy elsewhere) has ended, though the JDK still counts it alive.
     */
    static boolean awaitExit(long pid, Duration timeout) throws CliException {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) return true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.get().isAlive() && !zombie(pid)) {
            if (System.nanoTime() - deadline >= 0) return false;
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.FAILED, "interrupted while waiting for plight (pid " + pid + ") to exit");
            }
        }
        return true;
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2); // the name in parentheses may hold anything
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException gone) {
            return false; // gone: isAlive says so
        }
    }
}
