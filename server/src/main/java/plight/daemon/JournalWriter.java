package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.AbstractFormatPatternWriter;

/**
 * The console writer when stderr is systemd's journal: every line starts with its syslog priority ({@code <3>}
 * error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug), which the journal takes as the entry's priority,
 * and carries no timestamp, since the journal stamps each entry itself. Registered with tinylog as a service
 * (META-INF/services/org.tinylog.writers.Writer), which creates it from its properties.
 */
public final class JournalWriter extends AbstractFormatPatternWriter {
    private final PrintStream out;

    public JournalWriter(Map<String, String> properties) {
        this(properties, System.err);
    }

    JournalWriter(Map<String, String> properties, PrintStream out) {
        super(properties);
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

    static int priority(Level level) {
        return switch (level) {
            case ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            default -> 7;
        };
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        Collection<LogEntryValue> values = EnumSet.of(LogEntryValue.LEVEL);
        values.addAll(super.getRequiredLogEntryValues());
        return values;
    }

    @Override
    public void write(LogEntry entry) {
        String prefix = "<" + priority(entry.getLevel()) + ">";
        StringBuilder sb = new StringBuilder();
        // A stack trace's lines become entries of their own: each keeps the priority.
        render(entry).lines().forEach(line -> sb.append(prefix).append(line).append('\n'));
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
