package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.ReadOnlyDir;

/** A full file system: the change fails with the OS's reason and the node stays where it was. */
class NoSpaceTest {
    @TempDir
    Path tmp;
    private Path mount;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        assumeTrue(ReadOnlyDir.runningAsRoot(), "mounting a small tmpfs needs root (CI runs as root)");
        mount = tmp.resolve("full");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "mount tmpfs failed: " + out);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aChangeOnAFullFileSystemFailsWithTheReasonAndChangesNothing() throws Exception {
        Tables.Classic node = Tables.Classic.in(mount);
        node.store().change(node.disabled(), new Marker(Instant.now(), "test", "before the disk filled", null));
        fill(mount.resolve("filler"));

        StoreException e = assertThrows(StoreException.class, () ->
                node.store().change(node.offline(), new Marker(Instant.now(), "test", "x".repeat(900), null)));

        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        NodeState now = new StateStore(node.table()).read();
        assertEquals("disabled", now.state().name());
        assertEquals("before the disk filled", now.marker().reason());
        assertEquals(java.util.List.of(), Tables.tempFiles(mount));
    }

    private static void fill(Path file) {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // the file system is full now
        }
    }
}
