package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import plight.log.Level;
import plight.log.LineWriter;

/**
 * The console writer when stderr is systemd's journal: every line starts with its syslog priority ({@code <3>}
 * error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug), which the journal takes as the entry's priority,
 * and carries no timestamp, since the journal stamps each entry itself.
 */
final class JournalWriter implements LineWriter {
    private final PrintStream out;

    JournalWriter(PrintStream out) {
        this.out = out;
    }

    /**
     * Whether stderr is the journal: {@code JOURNAL_STREAM} names the device and inode of the stream systemd
     * connected, and is inherited by processes whose stderr went elsewhere, so it must match what fd 2 is.
     */
    static boolean isStderr(String journalStream) {
        return matches(journalStream, Path.of("/proc/self/fd/2"));
    }

    static boolean matches(String journalStream, Path file) {
        if (journalStream == null) return false;
        String[] devIno = journalStream.strip().split(":");
        if (devIno.length != 2) return false;
        try {
            long dev = Long.parseUnsignedLong(devIno[0]);
            long ino = Long.parseUnsignedLong(devIno[1]);
            return ((Number) Files.getAttribute(file, "unix:dev")).longValue() == dev
                    && ((Number) Files.getAttribute(file, "unix:ino")).longValue() == ino;
        } catch (NumberFormatException | IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public void write(Level level, long epochMilli, String message) {
        String prefix = "<" + level.syslogPriority() + ">";
        StringBuilder sb = new StringBuilder(message.length() + 16);
        // A stack trace's lines become entries of their own: each keeps the priority. Lines end as String.lines()
        // ends them (LF, CR, CR LF).
        String text = message + "\n";
        int i = 0;
        while (i < text.length()) {
            int end = i;
            while (text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
            sb.append(prefix).append(text, i, end).append('\n');
            i = end + (text.charAt(end) == '\r' && end + 1 < text.length() && text.charAt(end + 1) == '\n' ? 2 : 1);
        }
        out.print(sb);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
