package plight.log;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A log rotated by size: lines go to {@code <file>.<n>}, {@code <file>} is a hard link to the current one, and
 * once a line would take it past {@code maxSize} bytes the next number starts; only the newest {@code keep} files
 * stay (the current one always). At start the newest numbered file is continued while it is within the size.
 * These are the names and the rotation tinylog's rolling file writer had, for the files of this log only.
 */
public final class LogFile implements LineWriter {
    /** Lines are written when the log thread's queue runs empty: the buffer only batches a burst. */
    private static final int BUFFER = 8192;
    /** How often (at most, and only when writing) the log checks that its file is still there. */
    private static final long CHECK_NANOS = 1_000_000_000L;
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path latest;
    private final Path dir;
    private final String prefix;
    private final long maxSize;
    private final int keep;
    private final LineFormat format;
    private final LongSupplier nanoTime;
    /** Null while the file cannot be (re)opened. */
    private OutputStream out;
    private long size;
    /** The open file's identity, to notice it deleted or replaced; null when the file system has none. */
    private Object fileKey;
    /** {@code <file>}, or the numbered file itself when the link to it could not be made. */
    private Path watched;
    private long checkedAt;

    private LogFile(Path latest, long maxSize, int keep, LineFormat format, LongSupplier nanoTime) {
        this.latest = latest.toAbsolutePath();
        this.dir = this.latest.getParent();
        this.prefix = this.latest.getFileName() + ".";
        this.maxSize = maxSize;
        this.keep = Math.max(1, keep);
        this.format = format;
        this.nanoTime = nanoTime;
        this.checkedAt = nanoTime.getAsLong();
    }

    /**
     * Opens the log, continuing its newest file if that is within {@code maxSize}.
     *
     * @param keep how many files stay ({@code rotationcount}), the current one included
     * @throws IOException when the file cannot be opened for writing
     */
    public static LogFile open(Path latest, long maxSize, int keep, LineFormat format) throws IOException {
        return open(latest, maxSize, keep, format, System::nanoTime);
    }

    /** @param nanoTime the clock that paces the check for a deleted file (tests move it) */
    static LogFile open(Path latest, long maxSize, int keep, LineFormat format, LongSupplier nanoTime) throws IOException {
        LogFile f = new LogFile(latest, maxSize, keep, format, nanoTime);
        List<Numbered> files = f.files();
        Numbered newest = files.isEmpty() ? null : files.get(0);
        if (newest != null && newest.size() <= maxSize) {
            f.start(newest.path(), true, newest.size());
        } else {
            f.start(f.next(files), false, 0);
        }
        return f;
    }

    @Override
    public void write(Level level, long epochMilli, String message) throws IOException {
        byte[] line = format.line(level, epochMilli, message).getBytes(StandardCharsets.UTF_8);
        long now = nanoTime.getAsLong();
        if (now - checkedAt >= CHECK_NANOS) {
            checkedAt = now;
            if (out == null || !stillThere()) reopen();
        }
        if (out == null) throw new IOException("the log file is gone and cannot be created again");
        if (size > 0 && size + line.length > maxSize) {
            out.close();
            start(next(files()), false, 0);
        }
        out.write(line);
        size += line.length;
    }

    @Override
    public void flush() throws IOException {
        if (out != null) out.flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }

    /** Whether {@code <file>} is still the file being written (not deleted with its directory, not replaced). */
    private boolean stillThere() {
        try {
            Object key = Files.readAttributes(watched, BasicFileAttributes.class, NOFOLLOW).fileKey();
            return fileKey == null || fileKey.equals(key);
        } catch (IOException gone) {
            return false;
        }
    }

    /** Starts a new file after the old one vanished: lines must not go on into an unlinked file. */
    private void reopen() throws IOException {
        OutputStream old = out;
        out = null;
        if (old != null) {
            try {
                old.close();
            } catch (IOException ignored) {
                // the file is gone: what it buffered has nowhere to go
            }
        }
        Files.createDirectories(dir);
        start(next(files()), false, 0);
    }

    /**
     * @param append whether {@code file} is this log's newest file, continued; else a new file is created, never an
     *               existing name (O_EXCL: a link planted at the next number is not followed)
     */
    private void start(Path file, boolean append, long size) throws IOException {
        OutputStream raw = null;
        if (append) {
            raw = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
        }
        for (int attempt = 0; raw == null; attempt++) {
            try {
                raw = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            } catch (FileAlreadyExistsException taken) {
                // Created meanwhile (by whom ever): the next free number, a few times.
                if (attempt == 10) throw taken;
                file = next(files());
            }
        }
        // Append always: another writer of the same file (which the configuration refuses) never loses lines.
        out = new BufferedOutputStream(raw, BUFFER);
        this.size = size;
        try {
            fileKey = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW).fileKey();
        } catch (IOException e) {
            fileKey = null;
        }
        watched = latest;
        try {
            Files.deleteIfExists(latest);
            Files.createLink(latest, file);
        } catch (IOException e) {
            watched = file;
            System.err.println("plight: cannot link " + latest + " to " + file.getFileName() + ": " + plight.text.IoErrors.reason(e));
        }
        List<Numbered> files = files();
        for (int i = keep; i < files.size(); i++) {
            if (!files.get(i).path().equals(file)) Files.deleteIfExists(files.get(i).path());
        }
    }

    /** The number after the highest name there is (links and other non-files included), 0 for the first file. */
    private Path next(List<Numbered> files) throws IOException {
        long n = -1;
        for (Numbered f : files) n = Math.max(n, f.number());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix)) n = Math.max(n, number(name, prefix.length()));
            }
        }
        return dir.resolve(prefix + (n + 1));
    }

    /** This log's numbered files, newest first (by modification time, then by number). */
    private List<Numbered> files() throws IOException {
        List<Numbered> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                long n = name.startsWith(prefix) ? number(name, prefix.length()) : -1;
                if (n < 0) continue;
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
                } catch (IOException gone) {
                    continue;
                }
                if (a.isRegularFile()) files.add(new Numbered(p, n, a.lastModifiedTime().toMillis(), a.size()));
            }
        }
        files.sort(null);
        return files;
    }

    /** The decimal number that is all of {@code name} from {@code from}, or -1. */
    private static long number(String name, int from) {
        if (from == name.length() || name.length() - from > 18) return -1;
        long n = 0;
        for (int i = from; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private record Numbered(Path path, long number, long modified, long size) implements Comparable<Numbered> {
        @Override
        public int compareTo(Numbered o) {
            int c = Long.compare(o.modified, modified);
            return c != 0 ? c : Long.compare(o.number, number);
        }
    }
}
