package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.log.Level;

/** Log lines for systemd's journal: the priority in front of every line, and only when stderr is the journal. */
class JournalWriterTest {
    @TempDir
    Path dir;

    private static String written(Level level, String message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JournalWriter w = new JournalWriter(out);
        w.write(level, 0, message);
        w.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachLevelGetsItsSyslogPriority() {
        assertEquals("<3>failed\n", written(Level.ERROR, "failed"));
        assertEquals("<4>careful\n", written(Level.WARN, "careful"));
        assertEquals("<6>running\n", written(Level.INFO, "running"));
        assertEquals("<7>detail\n", written(Level.DEBUG, "detail"));
        assertEquals("<7>more detail\n", written(Level.TRACE, "more detail"));
    }

    @Test
    void everyLineOfAMultiLineEntryKeepsThePriority() {
        assertEquals("<3>first\n<3>\tat second\n", written(Level.ERROR, "first\n\tat second"));
    }

    @Test
    void linesEndAsStringLinesEndsThem() {
        assertEquals("<6>\n", written(Level.INFO, ""));
        assertEquals("<4>a\n<4>b\n<4>c\n<4>\n", written(Level.WARN, "a\r\nb\rc\n"));
    }

    @Test
    void journalStreamMustNameTheFileItself() throws Exception {
        Path file = Files.createFile(dir.resolve("stream"));
        Path other = Files.createFile(dir.resolve("other"));
        String devIno = Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
        assertTrue(JournalWriter.matches(devIno, file));
        assertTrue(JournalWriter.matches(" " + devIno + "\n", file));
        assertFalse(JournalWriter.matches(devIno, other), "another file on the same device");
        assertFalse(JournalWriter.matches(null, file));
        assertFalse(JournalWriter.matches("", file));
        assertFalse(JournalWriter.matches("12", file));
        assertFalse(JournalWriter.matches("a:b", file));
        assertFalse(JournalWriter.matches(devIno + ":1", file));
        assertFalse(JournalWriter.matches(devIno, dir.resolve("absent")));
    }
}
