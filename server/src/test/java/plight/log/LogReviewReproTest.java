package plight.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (s18, second pass) reproductions for the daemon's own logger. Each asserts what should hold and fails
 * on main as of 3760836; disabled so that the branch builds; enable one to see it fail (review2-s18-findings.md).
 */
class LogReviewReproTest {
    @TempDir
    Path dir;

    /**
     * Finding 3: the application log and the access log configured to one file (a careless operator; the
     * configuration accepts it). The first log opens its new file without O_APPEND and writes from offset 0 over
     * what the other appended: lines are lost or cut in half.
     */
    @Test
    @Disabled("review2-s18 finding 3: fails until two logs on one file are refused or share one writer")
    void twoLogsOnOneFileKeepEveryLine() throws Exception {
        Path log = dir.resolve("plight.log");
        LogFile app = LogFile.open(log, 1_000_000, 10, LineFormat.MESSAGE);
        LogFile access = LogFile.open(log, 1_000_000, 10, LineFormat.MESSAGE);
        List<String> expected = new ArrayList<>();
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
        List<String> lines = Files.readAllLines(log);
        assertEquals(expected.size(), lines.size(), "lines in the file: " + lines);
        assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(lines));
    }

    /**
     * Finding 4: a dangling symbolic link at the next number (someone who can write the log directory) is
     * followed: the log creates and fills the link's target, anywhere the daemon may write, with client-chosen
     * request lines in the access log's case.
     */
    @Test
    @Disabled("review2-s18 finding 4: fails until new log files are created with CREATE_NEW / O_NOFOLLOW")
    void aDanglingLinkAtTheNextNumberIsNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere")).resolve("planted");
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Files.createSymbolicLink(logs.resolve("access.log.0"), elsewhere);
        try {
            LogFile f = LogFile.open(logs.resolve("access.log"), 1_000_000, 10, LineFormat.MESSAGE);
            f.write(Level.INFO, 0, "GET /attacker-chosen HTTP/1.0");
            f.close();
        } catch (java.io.IOException refused) {
            // refusing to open is fine too
        }
        assertFalse(Files.exists(elsewhere), "the link's target was created and written: " + elsewhere);
    }
}
