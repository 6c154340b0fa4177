package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.MarkerHazards;

/**
 * What an operator, or something else, may leave at a marker path besides a marker: a FIFO, a directory with
 * files in it, a link that cannot be followed. The store never blocks on them, never takes "cannot tell" for
 * "absent", and says what the operating system said.
 */
// A read blocked in open() on a FIFO does not answer an interrupt: fail from another thread instead of hanging.
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MarkerHazardsTest {
    private static final Marker MARKER = new Marker(Instant.parse("2026-03-04T05:06:07Z"), "alice", "test", null);

    @TempDir
    Path dir;

    @Test
    void aFifoAtAMarkerPathCountsAndIsNeverOpened() throws Exception {
        StateTable table = Tables.classic(dir);
        State offline = table.byName("offline").orElseThrow();
        MarkerHazards.fifo(offline.file());
        StateStore store = new StateStore(table);
        assertEquals(new NodeState(offline, Marker.EMPTY), store.read(), "it exists, so it is the state; it has no metadata");
        assertEquals(List.of(), store.markersWithTtl());

        // Changing away removes it like any other marker.
        assertEquals("disabled", store.change(table.byName("disabled").orElseThrow(), MARKER).after().state().name());
        assertFalse(Files.exists(offline.file()));
    }

    @Test
    void aMarkerWhoseExistenceCannotBeCheckedIsNotAbsent() throws Exception {
        StateTable table = Tables.classic(dir);
        Path offline = MarkerHazards.unresolvable(table.byName("offline").orElseThrow().file());
        StoreException e = assertThrows(StoreException.class, () -> new StateStore(table).read());
        assertTrue(e.getMessage().startsWith("cannot check whether " + offline + " exists: "), e.getMessage());
        assertFalse(e.getMessage().endsWith(offline.toString()), "the reason is not the path: " + e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }

    @Test
    void aLowerMarkerThatCannotBeCheckedDoesNotMatterUnderAHigherOne() throws Exception {
        StateTable table = Tables.classic(dir);
        MarkerHazards.unresolvable(table.byName("disabled").orElseThrow().file());
        State offline = table.byName("offline").orElseThrow();
        Files.createFile(offline.file());
        assertEquals(offline, new StateStore(table).read().state());
    }

    /** The case: {@code plight offline} while {@code node_disabled} is a directory with a file in it. */
    @Test
    void aLowerMarkerThatCannotBeRemovedIsAWarningNotAFailure() throws Exception {
        StateTable table = Tables.classic(dir);
        Path disabled = table.byName("disabled").orElseThrow().file();
        Files.writeString(Files.createDirectory(disabled).resolve("keep"), "x");
        StateStore store = new StateStore(table);

        StateStore.Change change = store.change(table.byName("offline").orElseThrow(), MARKER);
        assertEquals("offline", change.after().state().name());
        assertEquals(MARKER, change.after().marker());
        assertEquals(List.of("cannot remove " + disabled + ": directory not empty"), change.warnings());

        // Back to the default: the directory is a marker of a state above it, so that is a failure, and says so.
        StoreException e = assertThrows(StoreException.class, () -> store.change(table.defaultState(), Marker.EMPTY));
        assertEquals("cannot remove " + disabled + ": directory not empty", e.getMessage());
        assertEquals("disabled", e.served().orElseThrow().state().name(), "what is served now");
        assertEquals("disabled", store.read().state().name());
    }
}
