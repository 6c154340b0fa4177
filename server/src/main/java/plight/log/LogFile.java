package plight.log;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A log rotated by size: lines go to {@code <file>.<n>}, {@code <file>} is a hard link to the current one, and
 * once a line would take it past {@code maxSize} bytes the next number starts; only the newest {@code keep} files
 * stay (the current one always). At start the newest numbered file is continued while it is within the size.
 * These are the names and the rotation tinylog's rolling file writer had, for the files of this log only.
 */
public final class LogFile implements LineWriter {
    /** Lines are written when the log thread's queue runs empty: the buffer only batches a burst. */
    private static final int BUFFER = 8192;

    private final Path latest;
    private final Path dir;
    private final String prefix;
    private final long maxSize;
    private final int keep;
    private final LineFormat format;
    private OutputStream out;
    private long size;

    private LogFile(Path latest, long maxSize, int keep, LineFormat format) {
        this.latest = latest.toAbsolutePath();
        this.dir = this.latest.getParent();
        this.prefix = this.latest.getFileName() + ".";
        this.maxSize = maxSize;
        this.keep = Math.max(1, keep);
        this.format = format;
    }

    /**
     * Opens the log, continuing its newest file if that is within {@code maxSize}.
     *
     * @param keep how many files stay ({@code rotationcount}), the current one included
     * @throws IOException when the file cannot be opened for writing
     */
    public static LogFile open(Path latest, long maxSize, int keep, LineFormat format) throws IOException {
        LogFile f = new LogFile(latest, maxSize, keep, format);
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
        if (size > 0 && size + line.length > maxSize) {
            out.close();
            start(next(files()), false, 0);
        }
        out.write(line);
        size += line.length;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void start(Path file, boolean append, long size) throws IOException {
        out = new BufferedOutputStream(new FileOutputStream(file.toFile(), append), BUFFER);
        this.size = size;
        try {
            Files.deleteIfExists(latest);
            Files.createLink(latest, file);
        } catch (IOException e) {
            System.err.println("plight: cannot link " + latest + " to " + file.getFileName() + ": " + plight.text.IoErrors.reason(e));
        }
        List<Numbered> files = files();
        for (int i = keep; i < files.size(); i++) {
            if (!files.get(i).path().equals(file)) Files.deleteIfExists(files.get(i).path());
        }
    }

    /** The number after the highest there is, 0 for the first file. */
    private Path next(List<Numbered> files) {
        long n = -1;
        for (Numbered f : files) n = Math.max(n, f.number());
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
                    a = Files.readAttributes(p, BasicFileAttributes.class);
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
