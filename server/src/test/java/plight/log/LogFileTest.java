package plight.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rolling log files: tinylog's names and rotation, for this log's files only. */
class LogFileTest {
    @TempDir
    Path dir;

    private TreeSet<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> names = new TreeSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        }
    }

    private static void write(LogFile f, String message) throws Exception {
        f.write(Level.INFO, 0, message);
    }

    @Test
    void linesGoToTheFirstNumberedFileAndTheNameIsAHardLinkToIt() throws Exception {
        Path log = dir.resolve("plight.log");
        LogFile f = LogFile.open(log, 1000, 10, LineFormat.MESSAGE);
        write(f, "one");
        f.flush();
        assertEquals(new TreeSet<>(List.of("plight.log", "plight.log.0")), names());
        assertEquals("one\n", Files.readString(log));
        assertTrue(Files.isSameFile(log, dir.resolve("plight.log.0")));
        assertEquals(2, Files.getAttribute(log, "unix:nlink"));
        f.close();
    }

    @Test
    void aLineThatWouldPassTheSizeStartsTheNextFileAndOnlyTheNewestFilesStay() throws Exception {
        Path log = dir.resolve("plight.log");
        LogFile f = LogFile.open(log, 10, 3, LineFormat.MESSAGE);
        for (int i = 0; i < 6; i++) {
            write(f, "line " + i); // 7 bytes: one per file
        }
        f.close();
        assertEquals(new TreeSet<>(List.of("plight.log", "plight.log.3", "plight.log.4", "plight.log.5")), names());
        assertEquals("line 5\n", Files.readString(log));
        assertEquals("line 3\n", Files.readString(dir.resolve("plight.log.3")));
    }

    @Test
    void linesFillAFileUpToItsSize() throws Exception {
        Path log = dir.resolve("a.log");
        LogFile f = LogFile.open(log, 8, 10, LineFormat.MESSAGE);
        write(f, "abc"); // 4
        write(f, "def"); // 8: still fits
        write(f, "g");
        f.close();
        assertEquals("abc\ndef\n", Files.readString(dir.resolve("a.log.0")));
        assertEquals("g\n", Files.readString(dir.resolve("a.log.1")));
    }

    @Test
    void aRestartContinuesTheNewestFileWhileItIsWithinTheSize() throws Exception {
        Path log = dir.resolve("plight.log");
        LogFile f = LogFile.open(log, 100, 10, LineFormat.MESSAGE);
        write(f, "before");
        f.close();
        f = LogFile.open(log, 100, 10, LineFormat.MESSAGE);
        write(f, "after");
        f.close();
        assertEquals("before\nafter\n", Files.readString(dir.resolve("plight.log.0")));
        assertEquals(new TreeSet<>(List.of("plight.log", "plight.log.0")), names());
    }

    @Test
    void aRestartAfterAFullFileStartsTheNextNumber() throws Exception {
        Path log = dir.resolve("plight.log");
        Files.writeString(dir.resolve("plight.log.7"), "x".repeat(200));
        Files.writeString(dir.resolve("plight.log.2"), "old");
        Files.setLastModifiedTime(dir.resolve("plight.log.2"), FileTime.fromMillis(1000));
        LogFile f = LogFile.open(log, 100, 10, LineFormat.MESSAGE);
        write(f, "new");
        f.close();
        assertEquals("new\n", Files.readString(dir.resolve("plight.log.8")));
        assertEquals("new\n", Files.readString(log));
    }

    @Test
    void otherFilesInTheDirectoryAreNeverCountedOrDeleted() throws Exception {
        Files.writeString(dir.resolve("access.log.0"), "a");
        Files.writeString(dir.resolve("plight.log.old"), "b");
        Files.writeString(dir.resolve("plight.log.1.gz"), "c");
        Files.writeString(dir.resolve("notes"), "d");
        LogFile f = LogFile.open(dir.resolve("plight.log"), 5, 1, LineFormat.MESSAGE);
        for (int i = 0; i < 4; i++) {
            write(f, "l" + i);
        }
        f.close();
        assertEquals(new TreeSet<>(List.of("access.log.0", "notes", "plight.log", "plight.log.1.gz", "plight.log.3", "plight.log.old")),
                names());
    }

    @Test
    void textLinesCarryTheLocalTimeTheLevelPaddedToFiveAndTheMessage() throws Exception {
        Path log = dir.resolve("plight.log");
        LogFile f = LogFile.open(log, 1000, 10, LineFormat.TEXT);
        f.write(Level.INFO, System.currentTimeMillis(), "plight is running");
        f.write(Level.ERROR, System.currentTimeMillis(), "failed");
        f.close();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  plight is running"), lines.get(0));
        assertTrue(lines.get(1).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ERROR failed"), lines.get(1));
        assertFalse(Files.readString(log).contains("\r"));
    }

    /** Two writers of one file (the configuration refuses it; a second daemon might not): both append. */
    @Test
    void twoWritersOfOneFileBothAppendAndKeepEveryLine() throws Exception {
        Path log = dir.resolve("plight.log");
        LogFile app = LogFile.open(log, 1_000_000, 10, LineFormat.MESSAGE);
        LogFile access = LogFile.open(log, 1_000_000, 10, LineFormat.MESSAGE);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            access.write(Level.INFO, 0, "access " + i);
            access.flush();
            expected.add("access " + i);
        }
        for (int i = 0; i < 3; i++) {
            app.write(Level.INFO, 0, "app " + i);
            app.flush();
            expected.add("app " + i);
        }
        app.close();
        access.close();
        assertEquals(expected, Files.readAllLines(log));
    }

    /** Someone who can write the log directory plants a dangling link at the next number: it is not followed. */
    @Test
    void aDanglingLinkAtTheNextNumberIsNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere")).resolve("planted");
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Files.createSymbolicLink(logs.resolve("access.log.0"), elsewhere);
        LogFile f = LogFile.open(logs.resolve("access.log"), 1_000_000, 10, LineFormat.MESSAGE);
        f.write(Level.INFO, 0, "GET /attacker-chosen HTTP/1.0");
        f.close();
        assertFalse(Files.exists(elsewhere), "the link's target was created and written: " + elsewhere);
        assertEquals(List.of("GET /attacker-chosen HTTP/1.0"), Files.readAllLines(logs.resolve("access.log")));
        assertTrue(Files.isSymbolicLink(logs.resolve("access.log.0")));
    }

    /** rm -rf of the log directory while running: within a second of writing, lines go to a new file again. */
    @Test
    void aDeletedLogDirectoryIsCreatedAgainAndTheLinesGoOnInIt() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        Path logs = dir.resolve("logs");
        Files.createDirectory(logs);
        LogFile f = LogFile.open(logs.resolve("plight.log"), 1_000_000, 10, LineFormat.MESSAGE, clock::get);
        f.write(Level.INFO, 0, "before");
        f.flush();
        try (var files = Files.list(logs)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(logs);
        clock.addAndGet(1_000_000_000L);
        f.write(Level.INFO, 0, "after");
        f.close();
        assertEquals(List.of("after"), Files.readAllLines(logs.resolve("plight.log")));
    }

    /** rm of the link alone: the lines must not go on only into a file nobody looks at under that name. */
    @Test
    void aDeletedLogFileNameIsWrittenAgain() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        Path log = dir.resolve("plight.log");
        LogFile f = LogFile.open(log, 1_000_000, 10, LineFormat.MESSAGE, clock::get);
        f.write(Level.INFO, 0, "before");
        Files.delete(log);
        f.write(Level.INFO, 0, "same second");
        clock.addAndGet(1_000_000_000L);
        f.write(Level.INFO, 0, "after");
        f.close();
        assertEquals(List.of("after"), Files.readAllLines(log));
        assertEquals(List.of("before", "same second"), Files.readAllLines(dir.resolve("plight.log.0")));
    }

    /** The directory cannot be made again (a file took its name): writing fails, and works again once it can. */
    @Test
    void aLogWhoseDirectoryCannotBeMadeAgainFailsUntilItCan() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        Path logs = Files.createDirectory(dir.resolve("logs"));
        LogFile f = LogFile.open(logs.resolve("plight.log"), 1_000_000, 10, LineFormat.MESSAGE, clock::get);
        f.write(Level.INFO, 0, "before");
        try (var files = Files.list(logs)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(logs);
        Files.writeString(logs, "not a directory");
        clock.addAndGet(1_000_000_000L);
        assertThrows(java.io.IOException.class, () -> f.write(Level.INFO, 0, "lost"));
        assertThrows(java.io.IOException.class, () -> f.write(Level.INFO, 0, "lost too"));
        Files.delete(logs);
        clock.addAndGet(1_000_000_000L);
        f.write(Level.INFO, 0, "after");
        f.close();
        assertEquals(List.of("after"), Files.readAllLines(logs.resolve("plight.log")));
    }
}
