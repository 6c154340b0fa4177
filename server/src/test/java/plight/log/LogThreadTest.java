package plight.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Await;

/** The one writing thread: routes by log and level, flushes when idle, writes everything queued at shutdown. */
class LogThreadTest {
    @TempDir
    Path dir;

    @Test
    void linesGoToTheWritersOfTheirLogAtOrAboveTheirLevel() throws Exception {
        LogFile app = LogFile.open(dir.resolve("plight.log"), 10_000, 10, LineFormat.MESSAGE);
        LogFile access = LogFile.open(dir.resolve("access.log"), 10_000, 10, LineFormat.MESSAGE);
        LogThread t = new LogThread(List.of(new LogThread.Route(app, Level.WARN, false, "app"),
                new LogThread.Route(access, Level.INFO, true, "access")));
        t.start();
        assertFalse(t.accepts(Level.INFO, false));
        assertTrue(t.accepts(Level.WARN, false));
        assertTrue(t.accepts(Level.INFO, true));
        t.log(Level.INFO, false, 0, "dropped");
        t.log(Level.WARN, false, 0, "kept");
        t.log(Level.INFO, true, 0, "GET /");
        Await.until(() -> read(dir.resolve("access.log")).equals("GET /\n"), Duration.ofSeconds(5),
                "the access line is flushed once the queue is empty");
        t.shutdown();
        assertEquals("kept\n", Files.readString(dir.resolve("plight.log")));
        assertEquals("GET /\n", Files.readString(dir.resolve("access.log")));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shutdownWritesEveryQueuedLineAndClosesTheFiles() throws Exception {
        LogFile app = LogFile.open(dir.resolve("plight.log"), 10_000_000, 10, LineFormat.MESSAGE);
        LogThread t = new LogThread(List.of(new LogThread.Route(app, Level.INFO, false, "app")));
        t.start();
        for (int i = 0; i < 10_000; i++) {
            t.log(Level.INFO, false, 0, "line " + i);
        }
        t.shutdown();
        List<String> lines = Files.readAllLines(dir.resolve("plight.log"));
        assertEquals(10_000, lines.size());
        assertEquals("line 9999", lines.get(9_999));
        assertFalse(t.isAlive());
    }

    @Test
    void aWriterThatFailsDoesNotStopTheOthers() throws Exception {
        LogFile good = LogFile.open(dir.resolve("good.log"), 10_000, 10, LineFormat.MESSAGE);
        LineWriter broken = new LineWriter() {
            @Override
            public void write(Level level, long epochMilli, String message) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        LogThread t = new LogThread(List.of(new LogThread.Route(broken, Level.INFO, false, "full.log"),
                new LogThread.Route(good, Level.INFO, false, "good.log")));
        t.start();
        t.log(Level.INFO, false, 0, "a");
        t.log(Level.ERROR, false, 0, "b");
        t.shutdown();
        assertEquals("a\nb\n", Files.readString(dir.resolve("good.log")));
    }

    @Test
    void withoutWritersNothingIsAccepted() {
        LogThread t = new LogThread(List.of());
        assertFalse(t.accepts(Level.ERROR, false));
        assertFalse(t.accepts(Level.INFO, true));
    }

    /** A console pipe nobody reads: the writer blocks; the queue stays bounded and the loss is reported. */
    @Test
    void aStuckWriterCostsAccessLinesNotTheHeapAndTheLossIsReported() throws Exception {
        StuckWriter stuck = new StuckWriter();
        LogFile app = LogFile.open(dir.resolve("plight.log"), 100_000_000, 10, LineFormat.MESSAGE);
        LogThread t = new LogThread(List.of(new LogThread.Route(app, Level.INFO, false, "app"),
                new LogThread.Route(stuck, Level.INFO, true, "console")));
        t.start();
        t.log(Level.INFO, true, 0, "first");
        stuck.blocked.await();
        int total = 1_000_000;
        for (int i = 1; i < total; i++) {
            t.log(Level.INFO, true, 0, "GET /" + i);
        }
        assertEquals(LogThread.MAX_QUEUED, t.queued(), "the queue stops at its bound");
        t.log(Level.INFO, false, 0, "state changed");
        assertEquals(LogThread.MAX_QUEUED + 1, t.queued(), "an application line still queues past the access bound");
        stuck.release.countDown();
        t.shutdown();
        long dropped = total - stuck.written.get();
        assertEquals(total - 1 - LogThread.MAX_QUEUED, dropped);
        assertEquals(List.of("state changed", dropped + " access-log lines dropped (the log writer fell behind)"),
                Files.readAllLines(dir.resolve("plight.log")));
    }

    /** Long request lines: the bound in characters holds before the bound in lines. */
    @Test
    void longAccessLinesAreBoundedByTheirSize() throws Exception {
        StuckWriter stuck = new StuckWriter();
        LogThread t = new LogThread(List.of(new LogThread.Route(stuck, Level.INFO, true, "console")));
        t.start();
        t.log(Level.INFO, true, 0, "first");
        stuck.blocked.await();
        String line = "GET /" + "x".repeat(8000) + " HTTP/1.1";
        for (int i = 0; i < 10_000; i++) {
            t.log(Level.INFO, true, 0, line);
        }
        long bound = (LogThread.MAX_QUEUED_CHARS + line.length() - 1) / line.length();
        assertEquals(bound, t.queued());
        stuck.release.countDown();
        t.shutdown();
    }

    /** A writer that blocks on its first line until released, as a console pipe nobody reads; counts lines. */
    private static final class StuckWriter implements LineWriter {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void write(Level level, long epochMilli, String message) {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.incrementAndGet();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
