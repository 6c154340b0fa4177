package plight.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a directory refuse new and removed entries for the life of this object. Root ignores permission bits,
 * so as root the directory is made immutable ({@code chattr +i}, undone on close); as a plain user it is
 * made {@code r-xr-xr-x}. Aborts the test (skipped, not failed) when neither can be done here.
 */
public final class ReadOnlyDir implements AutoCloseable {
    private final Path dir;
    private final boolean immutable;

    private ReadOnlyDir(Path dir, boolean immutable) {
        this.dir = dir;
        this.immutable = immutable;
    }

    public static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    public static ReadOnlyDir of(Path dir) throws IOException, InterruptedException {
        if (runningAsRoot()) {
            int rc = chattr("+i", dir);
            Assumptions.assumeTrue(rc == 0, "chattr +i is not available on this file system (as root, chmod does not stop writes)");
            return new ReadOnlyDir(dir, true);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        return new ReadOnlyDir(dir, false);
    }

    /** The operating system's words for the refusal: EPERM for an immutable directory, EACCES otherwise. */
    public String expectedReason() {
        return immutable ? "Operation not permitted" : "permission denied";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (immutable) {
            if (chattr("-i", dir) != 0) throw new IOException("chattr -i " + dir + " failed");
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static int chattr(String flag, Path dir) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException noChattr) {
            return -1;
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
