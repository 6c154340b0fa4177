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
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import plight.text.IoErrors;

/**
 * The node's state on disk, as the original plight keeps it: the current state is the highest-priority state
 * whose marker file exists, else the default state.
 *
 * <p>A change is ordered so that a crash at any point leaves the node in the new state or a higher-priority
 * one, never back in rotation by accident: the new marker is written to a temporary file, fsynced and renamed
 * into place, its directory fsynced; only then are the other markers removed and their directories fsynced.
 * Changes hold an exclusive lock ({@code .plight.lock} next to the markers) so that the daemon and CLIs in
 * other processes never interleave.
 *
 * <p>A marker's existence is a {@code stat} (following links), never an {@code open}: whatever sits at a marker
 * path — a FIFO, a directory — counts, and only a regular file is opened, for its metadata. A marker whose
 * existence cannot be checked (EACCES, EIO) is neither present nor absent: {@link #read} says so rather than
 * guess.
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

    /**
     * The current state, read from the marker files. A marker that is there but cannot be read (or is not a
     * regular file) still counts, without metadata.
     *
     * @throws StoreException when the existence of a marker that would decide the state cannot be checked
     */
    public NodeState read() throws StoreException {
        for (State s : table.highestFirst()) {
            if (s.isDefault()) continue;
            BasicFileAttributes attributes = stat(s.file());
            if (attributes != null) {
                return new NodeState(s, readMarker(s.file(), attributes));
            }
        }
        return new NodeState(table.defaultState(), Marker.EMPTY);
    }

    /**
     * The outcome of a change that made the asked state the one served.
     *
     * @param after    the state read back
     * @param warnings what could not be tidied up without changing that, e.g. a lower marker that could not be removed
     */
    public record Change(NodeState after, List<String> warnings) {
        public Change {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Makes {@code target} the current state, durably, before returning. Setting the current state again
     * replaces its metadata. A marker of a lower state that cannot be removed does not change what is served,
     * so it is a warning; one of a higher state is a failure.
     *
     * @throws StoreException when the files do not give {@code target} afterwards, or it cannot be made durable;
     *                        if the new marker could not be written, nothing changed. {@link StoreException#served}
     *                        tells what the files give instead, when that can be read.
     */
    public synchronized Change change(State target, Marker marker) throws StoreException {
        List<String> leftovers = new ArrayList<>();
        NodeState after;
        try {
            after = underLock(() -> {
                if (!target.isDefault()) {
                    writeMarker(target.file(), marker);
                }
                Set<Path> touchedDirs = new LinkedHashSet<>();
                for (State other : table.states()) {
                    if (other.isDefault() || other == target || other.file().equals(target.file())) continue;
                    boolean removed;
                    try {
                        removed = Files.deleteIfExists(other.file());
                    } catch (IOException e) {
                        leftovers.add("cannot remove " + other.file() + ": " + IoErrors.reason(e));
                        continue;
                    }
                    if (removed) {
                        touchedDirs.add(other.file().toAbsolutePath().getParent());
                        step("remove " + other.name());
                    }
                }
                for (Path dir : touchedDirs) {
                    syncDirectory(dir);
                }
                step("sync removals");
                return read();
            });
        } catch (StoreException e) {
            throw e.served().isPresent() ? e : new StoreException(e.getMessage(), e.getCause(), servedOrNull());
        }
        if (!after.state().name().equals(target.name())) {
            String why = !leftovers.isEmpty() ? String.join("; ", leftovers)
                    : after.state().isDefault() ? target.file() + " was removed meanwhile"
                    : after.state().file() + " exists";
            throw new StoreException(why, null, after);
        }
        return new Change(after, leftovers);
    }

    /**
     * Every marker on disk with a TTL, the current state's and any shadowed by a higher-priority marker. A marker
     * that cannot be checked is left out: its TTL can end once it can be (and {@link #read} reports it).
     */
    public List<NodeState> markersWithTtl() {
        List<NodeState> found = new ArrayList<>();
        for (State s : table.states()) {
            if (s.isDefault()) continue;
            try {
                BasicFileAttributes attributes = stat(s.file());
                if (attributes == null) continue;
                Marker m = readMarker(s.file(), attributes);
                if (m.expires() != null) found.add(new NodeState(s, m));
            } catch (StoreException cannotTell) {
                // left out, see above
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
    public synchronized NodeState expire(State state, Instant expires) throws StoreException {
        return underLock(() -> {
            if (!state.isDefault()) {
                BasicFileAttributes attributes = stat(state.file());
                if (attributes != null && expires.equals(readMarker(state.file(), attributes).expires())) {
                    try {
                        Files.deleteIfExists(state.file());
                    } catch (IOException e) {
                        throw failure("cannot remove " + state.file(), e);
                    }
                    syncDirectory(state.file().toAbsolutePath().getParent());
                }
            }
            return read();
        });
    }

    /** What the files give, for a failure's message; {@code null} when that cannot be told either. */
    private NodeState servedOrNull() {
        try {
            return read();
        } catch (StoreException e) {
            return null;
        }
    }

    /**
     * A marker's attributes, links followed, or {@code null} when there is none. Never opens it, so nothing
     * that sits there can block. Only "no such file" is absent: a failed check is "cannot tell".
     */
    private static BasicFileAttributes stat(Path file) throws StoreException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StoreException("cannot check whether " + file + " exists: " + IoErrors.reason(e), e);
        }
    }

    /** A change to the files, made while holding {@code .plight.lock}; it returns what the files give afterwards. */
    private interface LockedChange {
        NodeState run() throws StoreException, IOException;
    }

    private NodeState underLock(LockedChange change) throws StoreException {
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
            return change.run();
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

    /**
     * A marker's metadata. Only a regular file is opened: open() of a FIFO blocks until a writer comes, and a
     * device or a directory has no metadata to give. (A regular file swapped for a FIFO between the stat and
     * this open would still block it; that takes someone who may write the state directory anyway.)
     */
    private static Marker readMarker(Path file, BasicFileAttributes attributes) {
        if (!attributes.isRegularFile()) {
            return Marker.EMPTY;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(ch.size(), 0), MAX_MARKER_BYTES));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read up to the cap; a larger file is an operator's, its head is enough
            }
            return Marker.parse(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Marker.EMPTY;
        }
    }

    private static StoreException failure(String what, IOException e) {
        return new StoreException(what + ": " + IoErrors.reason(e), e);
    }
}
