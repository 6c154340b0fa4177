package plight.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** What may stand at a marker path besides a marker file. */
public final class MarkerHazards {
    private MarkerHazards() {
    }

    /** A FIFO at {@code path} (its directory made first); aborts the test where {@code mkfifo} is missing. */
    public static Path fifo(Path path) throws IOException, InterruptedException {
        Files.createDirectories(path.getParent());
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        } catch (IOException e) {
            Assumptions.abort("mkfifo is not available: " + e.getMessage());
            return path;
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + path);
        return path;
    }

    /** A link to itself at {@code path}: stat fails with ELOOP, for root too. */
    public static Path unresolvable(Path path) throws IOException {
        return Files.createSymbolicLink(path, path.getFileName());
    }
}
