package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Changes from several processes (the daemon, CLIs) are serialized by the store's lock. */
class ConcurrencyTest {
    private static final int CHANGES_PER_PROCESS = 150;

    @TempDir
    Path dir;

    private static Process worker(Path stateDir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoreWorker.class.getName());
        cmd.add(stateDir.toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    private static String readLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    @Timeout(60)
    void twoProcessesChangingAtOnceAreSerializedAndNoneIsLost() throws Exception {
        Path stateDir = dir.resolve("state");
        Path log = dir.resolve("changes.log");
        StateTable table = Tables.classic(stateDir);
        Process a = worker(stateDir, "A", Integer.toString(CHANGES_PER_PROCESS), log.toString());
        Process b = worker(stateDir, "B", Integer.toString(CHANGES_PER_PROCESS), log.toString());
        try {
            BufferedReader outA = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.UTF_8));
            BufferedReader outB = new BufferedReader(new InputStreamReader(b.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", outA.readLine());
            assertEquals("ready", outB.readLine());
            // Both start together.
            for (Process p : List.of(a, b)) {
                OutputStream in = p.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
            }
            for (Process p : List.of(a, b)) {
                assertTrue(p.waitFor(50, TimeUnit.SECONDS), "worker did not finish");
                String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.exitValue(), errors);
                assertEquals("", errors);
            }
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }

        List<String> lines = Files.readAllLines(log);
        assertEquals(2 * CHANGES_PER_PROCESS, lines.size(), "one log line per change, made under the lock");
        for (String worker : List.of("A", "B")) {
            List<String> own = lines.stream().filter(l -> l.startsWith(worker + " ")).toList();
            assertEquals(CHANGES_PER_PROCESS, own.size(), worker);
            for (int i = 0; i < own.size(); i++) {
                String[] f = own.get(i).split(" ");
                assertEquals(4, f.length, own.get(i));
                assertEquals(worker + "-" + i, f[1], "changes of one process in order, none missing");
                assertEquals("ok", f[3], own.get(i));
            }
        }
        // The changes did overlap in time: each worker's run is interleaved with the other's somewhere.
        long switches = 0;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).charAt(0) != lines.get(i - 1).charAt(0)) switches++;
        }
        assertTrue(switches > 0, "the two workers never interleaved; the test proves nothing");

        // The last change made under the lock is the state on disk, whole.
        String[] last = lines.get(lines.size() - 1).split(" ");
        NodeState end = new StateStore(table).read();
        assertEquals(last[2], end.state().name());
        if (!end.state().isDefault()) {
            assertEquals(last[1], end.marker().reason());
            assertTrue(end.marker().since() != null && end.marker().by() != null, end.marker().toString());
            assertEquals(List.of(end.state().file().getFileName().toString()), Tables.existingMarkers(table));
        } else {
            assertEquals(List.of(), Tables.existingMarkers(table));
        }
        assertEquals(List.of(), Tables.tempFiles(stateDir));
    }

    /** While another process holds the lock, a change waits for it, and completes once it is released. */
    @Test
    @Timeout(30)
    void aChangeWaitsForTheLock() throws Exception {
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        Path lockFile = stateDir.resolve(".plight.lock");
        Path marker = stateDir.resolve("node_disabled");
        Process p;
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            p = worker(stateDir, "W", "once");
            try {
                assertEquals("ready", readLine(p));
                long inode = ((Number) Files.getAttribute(lockFile, "unix:ino")).longValue();
                if (Files.isReadable(Path.of("/proc/locks"))) {
                    // The kernel lists a process blocked on a lock with "->": wait until the worker is one.
                    await(() -> someoneBlockedOn(inode), 20_000, "the worker to block on " + lockFile);
                } else {
                    assertFalse(p.waitFor(1, TimeUnit.SECONDS), "the worker changed the state while the lock was held");
                }
                assertTrue(p.isAlive(), "the worker finished while the lock was held");
                assertFalse(Files.exists(marker), "the worker changed the state while the lock was held");
                lock.release();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the worker did not finish after the lock was released");
                assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                p.destroyForcibly();
            }
        }
        assertTrue(Files.exists(marker));
        assertEquals("once", new StateStore(Tables.classic(stateDir)).read().marker().reason());
    }

    /**
     * Whether a process waits for a lock on the file with this inode. Only the worker can: the test holds the lock.
     * Pids are not compared, as /proc/locks shows them in the kernel's view, which a container may not share.
     */
    private static boolean someoneBlockedOn(long inode) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                // "12: -> POSIX  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF"
                String[] f = line.trim().split("\\s+");
                if (f.length >= 7 && f[1].equals("->") && f[6].endsWith(":" + inode)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, long timeoutMillis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }
}
