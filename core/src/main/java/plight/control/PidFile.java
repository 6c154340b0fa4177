package plight.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import plight.text.IoErrors;

/**
 * The daemon's pidfile, held under an exclusive lock for the daemon's life: the lock, not the file's presence,
 * says whether a daemon runs, so a pidfile left by a crash never blocks a restart. Beside it,
 * {@code <pidfile>.socket} names the control socket the daemon listens on, so that the CLI finds it after
 * {@code [control] socket} was edited; the pidfile itself stays the pid alone, as scripts read it.
 */
public final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the pidfile and writes our pid into it.
     *
     * @throws AlreadyRunningException when another process holds it
     */
    public static PidFile acquire(Path path) throws IOException, AlreadyRunningException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = null;
        try {
            // A CLI probing the pidfile holds a shared lock for a moment; retry briefly before calling it a daemon.
            for (int attempt = 0; attempt < 5 && lock == null; attempt++) {
                try {
                    lock = ch.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
                    break;
                }
                if (lock == null) {
                    Thread.sleep(10);
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking " + path, e);
        }
        if (lock == null) {
            OptionalLong other = readPid(ch);
            ch.close();
            throw new AlreadyRunningException(path, other);
        }
        try {
            Files.deleteIfExists(socketRecord(path)); // a crashed daemon's: never read as ours
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw e;
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return new PidFile(path, ch, lock);
    }

    /** What a pidfile says about a daemon. */
    public sealed interface Probe {
        /** A daemon holds the pidfile: its pid (-1 if unreadable) and the control socket it recorded, if any. */
        record Held(long pid, Optional<Path> socket) implements Probe { }

        /** Nobody holds it (or there is none): no daemon runs with this pidfile. */
        record Free() implements Probe { }

        /** We cannot open it (permissions), so we cannot tell. */
        record Unknown(String reason) implements Probe { }
    }

    /** Whether a daemon holds {@code path}, from its lock. */
    public static Probe probe(Path path) {
        if (Files.notExists(path)) return new Probe.Free(); // notExists: a directory we cannot enter is not "none"
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (!locked(ch)) return new Probe.Free();
            return new Probe.Held(readPid(ch).orElse(-1), readSocketRecord(path));
        } catch (java.nio.file.NoSuchFileException gone) {
            return new Probe.Free();
        } catch (IOException e) {
            return new Probe.Unknown(IoErrors.reason(e));
        }
    }

    /** Writes which control socket this daemon listens on beside the pidfile. */
    public void recordSocket(Path socket) throws IOException {
        Path record = socketRecord(path);
        Path tmp = record.resolveSibling("." + record.getFileName() + "." + ProcessHandle.current().pid());
        Files.writeString(tmp, socket.toAbsolutePath() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Path socketRecord(Path pidFile) {
        return pidFile.resolveSibling(pidFile.getFileName() + ".socket");
    }

    private static Optional<Path> readSocketRecord(Path pidFile) {
        try {
            String text = Files.readString(socketRecord(pidFile), StandardCharsets.UTF_8);
            if (!text.endsWith("\n") || text.length() < 2) return Optional.empty(); // not written whole
            return Optional.of(Path.of(text.substring(0, text.length() - 1)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether a process holds the lock on {@code ch}'s file (a shared lock of our own is taken and let go again). */
    private static boolean locked(FileChannel ch) throws IOException {
        FileLock probe;
        try {
            probe = ch.tryLock(0, Long.MAX_VALUE, true);
        } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
            return true;
        }
        if (probe == null) return true;
        probe.release();
        return false;
    }

    private static OptionalLong readPid(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            ch.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public Path path() {
        return path;
    }

    /** Releases the lock and removes the file. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(socketRecord(path));
            Files.deleteIfExists(path);
        } finally {
            lock.release();
            channel.close();
        }
    }

    /** Another daemon holds the pidfile. */
    public static final class AlreadyRunningException extends Exception {
        public AlreadyRunningException(Path path, OptionalLong pid) {
            super("plight is already running" + (pid.isPresent() ? " (pid " + pid.getAsLong() + ")" : "")
                    + ": " + path + " is locked");
        }
    }
}
