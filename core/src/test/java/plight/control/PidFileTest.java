package plight.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The lock on the pidfile, not the file's presence, says whether a daemon runs. */
@Timeout(30)
class PidFileTest {
    @TempDir
    Path dir;

    /** Another process: takes the pidfile named by args[0], prints "held", and keeps it until stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (PidFile pid = PidFile.acquire(Path.of(args[0]))) {
                System.out.println("held");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // hold until the test closes our stdin
                }
            }
        }
    }

    private static Process holder(Path pidFile) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), pidFile.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("held", line, "holder did not take the pidfile");
        return p;
    }

    private static void release(Process p) throws Exception {
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "holder did not exit");
        assertEquals(0, p.exitValue());
    }

    @Test
    void freeWhenThereIsNoFile() {
        assertEquals(new PidFile.Probe.Free(), PidFile.probe(dir.resolve("plight.pid")));
    }

    @Test
    void acquireWritesOurPidAndCloseRemovesTheFile() throws Exception {
        Path path = dir.resolve("run/plight/plight.pid");
        try (PidFile pid = PidFile.acquire(path)) {
            assertEquals(path, pid.path());
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
        }
        assertFalse(Files.exists(path));
        assertEquals(new PidFile.Probe.Free(), PidFile.probe(path));
    }

    @Test
    void heldByAnotherProcess() throws Exception {
        Path path = dir.resolve("plight.pid");
        Process p = holder(path);
        try {
            assertEquals(new PidFile.Probe.Held(p.pid(), java.util.Optional.empty()), PidFile.probe(path));
            PidFile.AlreadyRunningException e = assertThrows(PidFile.AlreadyRunningException.class, () -> PidFile.acquire(path));
            assertTrue(e.getMessage().contains("already running (pid " + p.pid() + ")"), e.getMessage());
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            // The refused attempt did not disturb the holder's file.
            assertEquals(p.pid() + "\n", Files.readString(path));
            assertEquals(new PidFile.Probe.Held(p.pid(), java.util.Optional.empty()), PidFile.probe(path));
        } finally {
            release(p);
        }
        assertFreeAndTakeable(path);
    }

    /** A daemon killed with SIGKILL leaves its file behind, but not its lock. */
    @Test
    void fileOfAKilledDaemonDoesNotBlock() throws Exception {
        Path path = dir.resolve("plight.pid");
        Process p = holder(path);
        p.destroyForcibly();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertTrue(Files.exists(path), "SIGKILL leaves the file");
        assertFreeAndTakeable(path);
    }

    @Test
    void staleFileWithoutALockDoesNotBlock() throws Exception {
        Path path = dir.resolve("plight.pid");
        Files.writeString(path, ProcessHandle.current().parent().orElseThrow().pid() + "\n"); // a live pid, but no lock
        assertEquals(new PidFile.Probe.Free(), PidFile.probe(path));
        try (PidFile mine = PidFile.acquire(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path), "the stale content is replaced entirely");
        }
    }

    @Test
    void staleFileWithGarbageDoesNotBlock() throws Exception {
        Path path = dir.resolve("plight.pid");
        Files.writeString(path, "not a pid at all, and rather longer than any pid would be\n");
        assertFreeAndTakeable(path);
    }

    /** The lock decides: held with the pid and the socket the daemon recorded, free after a crash whatever the files say. */
    @Test
    void probeSaysWhoHoldsThePidfileAndWhichSocketItServes() throws Exception {
        Path path = dir.resolve("plight.pid");
        assertEquals(new PidFile.Probe.Free(), PidFile.probe(path), "no file");
        Path record = dir.resolve("plight.pid.socket");
        Files.writeString(record, "/old/crashed.sock\n");
        try (PidFile mine = PidFile.acquire(path)) {
            assertFalse(Files.exists(record), "a crashed daemon's record is never read as this daemon's");
            assertEquals(new PidFile.Probe.Held(ProcessHandle.current().pid(), java.util.Optional.empty()), PidFile.probe(path));
            Path socket = dir.resolve("run dir/contröl.sock");
            mine.recordSocket(socket);
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path), "the pidfile stays the pid alone");
            assertEquals(new PidFile.Probe.Held(ProcessHandle.current().pid(), java.util.Optional.of(socket)), PidFile.probe(path));
        }
        assertFalse(Files.exists(record), "removed with the pidfile");
        Files.writeString(path, "4242\n");
        Files.writeString(record, "/left/by/a/crash.sock\n");
        assertEquals(new PidFile.Probe.Free(), PidFile.probe(path), "files left by a crash, no lock");
    }

    /** A second daemon started in the same JVM (as tests of the daemon do) is refused the same way. */
    @Test
    void acquireTwiceInOneProcess() throws Exception {
        Path path = dir.resolve("plight.pid");
        try (PidFile first = PidFile.acquire(path)) {
            PidFile.AlreadyRunningException e = assertThrows(PidFile.AlreadyRunningException.class, () -> PidFile.acquire(path));
            assertTrue(e.getMessage().contains("(pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
            assertEquals(new PidFile.Probe.Held(ProcessHandle.current().pid(), java.util.Optional.empty()), PidFile.probe(path));
        }
    }

    /** Nobody holds {@code path}, and we can take it: our pid is then all it says. */
    private static void assertFreeAndTakeable(Path path) throws Exception {
        assertEquals(new PidFile.Probe.Free(), PidFile.probe(path));
        try (PidFile mine = PidFile.acquire(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
        }
    }
}
