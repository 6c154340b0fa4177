package plight.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The node's state on disk, as the original plight keeps it: the current state is the highest-priority state
 * whose marker file exists, else the default state.
 *
 * <p>A change is ordered so that a crash at any point leaves the node in the new state or a higher-priority
 * one, never back in rotation by accident: the new marker is written to a temporary file, fsynced and renamed
 * into place, its directory fsynced; only then are the other markers removed and their directories fsynced.
 * Changes hold an exclusive lock ({@code .plight.lock} next to the markers) so that the daemon and CLIs in
 * other processes never interleave.
 */
public final class StateStore {
    /** Called after each step of a change; tests throw from it to simulate a crash at that point. */
    interface StepListener {
        void afterStep(String step) throws IOException;
    }

    private static final int MAX_MARKER_BYTES = 64 * 1024;

    private final StateTable table;
    private final Path lockFile;
    private final StepListener steps;

    public StateStore(StateTable table) {
        this(table, null);
    }

    StateStore(StateTable table, StepListener steps) {
        this.table = table;
        this.steps = steps;
        Path firstMarker = null;
        for (State s : table.states()) {
            if (!s.isDefault()) {
                firstMarker = s.file();
                break;
            }
        }
        if (firstMarker == null) {
            throw new IllegalArgumentException("no state has a marker file");
        }
        this.lockFile = firstMarker.resolveSibling(".plight.lock");
    }

    public StateTable table() {
        return table;
    }

    /** The current state, read from the marker files. An unreadable marker still counts, without metadata. */
    public NodeState read() {
        for (State s : table.highestFirst()) {
            if (!s.isDefault() && Files.exists(s.file())) {
                return new NodeState(s, readMarker(s.file()));
            }
        }
        return new NodeState(table.defaultState(), Marker.EMPTY);
    }

    /**
     * Makes {@code target} the current state, durably, before returning. Setting the current state again
     * replaces its metadata.
     *
     * @return the state as read back after the change
     * @throws StoreException when the change cannot be made durable; if the new marker could not be written,
     *                        nothing changed
     */
    public synchronized NodeState change(State target, Marker marker) throws StoreException {
        underLock(() -> {
            if (!target.isDefault()) {
                writeMarker(target.file(), marker);
            }
            Set<Path> touchedDirs = new LinkedHashSet<>();
            for (State other : table.states()) {
                if (other.isDefault() || other == target || other.file().equals(target.file())) continue;
                try {
                    if (Files.deleteIfExists(other.file())) {
                        touchedDirs.add(other.file().getParent());
                        step("remove " + other.name());
                    }
                } catch (IOException e) {
                    throw failure("cannot remove " + other.file() + " (the node is now '" + read().state().name() + "')", e);
                }
            }
            for (Path dir : touchedDirs) {
                syncDirectory(dir);
            }
            step("sync removals");
        });
        return read();
    }

    /** Every marker on disk with a TTL, the current state's and any shadowed by a higher-priority marker. */
    public java.util.List<NodeState> markersWithTtl() {
        java.util.List<NodeState> found = new java.util.ArrayList<>();
        for (State s : table.states()) {
            if (!s.isDefault() && Files.exists(s.file())) {
                Marker m = readMarker(s.file());
                if (m.expires() != null) found.add(new NodeState(s, m));
            }
        }
        return found;
    }

    /**
     * Ends a TTL: removes {@code state}'s marker, but only if it still carries {@code expires} (it was not
     * set again meanwhile). Other markers stay, so the node falls to the next state on disk, never to the
     * default past a marker someone else wrote.
     *
     * @return the state as read back afterwards
     */
    public synchronized NodeState expire(State state, java.time.Instant expires) throws StoreException {
        underLock(() -> {
            if (state.isDefault() || !Files.exists(state.file())) return;
            if (!expires.equals(readMarker(state.file()).expires())) return;
            try {
                Files.deleteIfExists(state.file());
            } catch (IOException e) {
                throw failure("cannot remove " + state.file(), e);
            }
            syncDirectory(state.file().toAbsolutePath().getParent());
        });
        return read();
    }

    /** A change to the files, made while holding {@code .plight.lock}. */
    private interface LockedChange {
        void run() throws StoreException, IOException;
    }

    private void underLock(LockedChange change) throws StoreException {
        try {
            Files.createDirectories(lockFile.getParent());
        } catch (IOException e) {
            throw failure("cannot create the state directory " + lockFile.getParent(), e);
        }
        boolean created = !Files.exists(lockFile);
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            if (created) {
                shareWithDirectoryGroup(lockFile);
            }
            change.run();
        } catch (StoreException e) {
            throw e;
        } catch (IOException e) {
            throw failure("cannot lock " + lockFile, e);
        }
    }

    private void writeMarker(Path file, Marker marker) throws StoreException {
        Path dir = file.toAbsolutePath().getParent();
        // Named per process, so that a leftover of a killed writer (perhaps another user's) never blocks this one;
        // under the lock no other writer is active, so any temporary file of this marker is such a leftover.
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".plight-tmp");
        try {
            Files.createDirectories(dir);
            removeLeftovers(dir, "." + file.getFileName() + ".");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(marker.format().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            step("write " + tmp.getFileName());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            step("rename " + file.getFileName());
            syncDirectory(dir);
            step("sync " + dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw failure("cannot write " + file, e);
        }
    }

    /**
     * Root's CLI may create the lock file while the daemon, running as its own user, is down; give it the
     * directory's group and group write so that the daemon can take the lock later. Best effort.
     */
    private static void shareWithDirectoryGroup(Path file) {
        try {
            java.nio.file.attribute.PosixFileAttributeView view =
                    Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class);
            view.setGroup(Files.readAttributes(file.getParent(), java.nio.file.attribute.PosixFileAttributes.class).group());
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        } catch (IOException | UnsupportedOperationException e) {
            // Same user for daemon and CLI, or a file system without POSIX attributes: nothing to share.
        }
    }

    private void step(String name) throws IOException {
        if (steps != null) steps.afterStep(name);
    }

    private static void removeLeftovers(Path dir, String prefix) {
        try (java.nio.file.DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, prefix + "*plight-tmp")) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        } catch (IOException e) {
            // Best effort: the write below uses a name of its own either way.
        }
    }

    private static void syncDirectory(Path dir) throws StoreException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw failure("cannot sync the directory " + dir, e);
        }
    }

    private static Marker readMarker(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(ch.size(), 0), MAX_MARKER_BYTES));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read up to the cap; a larger file is an operator's, its head is enough
            }
            return Marker.parse(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Marker.EMPTY;
        } catch (IOException e) {
            return Marker.EMPTY;
        }
    }

    private static StoreException failure(String what, IOException e) {
        return new StoreException(what + ": " + reason(e), e);
    }

    /** The operating system's words for an I/O failure, without Java's exception class names. */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
