package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.ReadOnlyDir;

/** The state on disk: transitions, markers made by hand, metadata, refusals. */
class StateStoreTest {
    private static final Instant SINCE = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path dir;

    private static Marker marker(String reason) {
        return new Marker(SINCE, "alice (uid 1000, pid 4242)", reason, null);
    }

    /** Every transition among the states of each table, starting from each state; the read-back is the target. */
    @TestFactory
    Stream<DynamicTest> everyTransition() {
        List<DynamicTest> tests = new ArrayList<>();
        List<Function<Path, StateTable>> tables = List.of(Tables::classic, Tables::custom, Tables::defaultInTheMiddle);
        List<String> tableNames = List.of("classic", "custom", "default-in-the-middle");
        for (int t = 0; t < tables.size(); t++) {
            Function<Path, StateTable> make = tables.get(t);
            StateTable names = make.apply(Path.of("/unused"));
            for (State from : names.states()) {
                for (State to : names.states()) {
                    String name = tableNames.get(t) + ": " + from.name() + " -> " + to.name();
                    Path caseDir = dir.resolve(tableNames.get(t) + "-" + from.name() + "-" + to.name());
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        StateTable table = make.apply(caseDir);
                        State src = table.byName(from.name()).orElseThrow();
                        State dst = table.byName(to.name()).orElseThrow();
                        StateStore store = new StateStore(table);
                        store.change(src, marker("before"));
                        assertEquals(src, store.read().state());

                        NodeState after = store.change(dst, marker("after")).after();

                        assertEquals(dst, after.state());
                        NodeState fresh = new StateStore(table).read();
                        assertEquals(dst, fresh.state());
                        if (dst.isDefault()) {
                            assertEquals(Marker.EMPTY, fresh.marker());
                            assertEquals(List.of(), Tables.existingMarkers(table));
                        } else {
                            assertEquals(marker("after"), fresh.marker());
                            assertEquals(List.of(dst.file().getFileName().toString()), Tables.existingMarkers(table));
                        }
                        assertEquals(List.of(), Tables.tempFiles(caseDir));
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void noMarkerIsTheDefaultState() throws Exception {
        StateTable table = Tables.classic(dir.resolve("never-created"));
        NodeState s = new StateStore(table).read();
        assertEquals("enabled", s.state().name());
        assertEquals(Marker.EMPTY, s.marker());
    }

    @Test
    void markersTouchedAndRemovedByHand() throws Exception {
        Tables.Classic node = Tables.Classic.in(dir);

        Files.createFile(node.disabled().file());
        assertEquals(new NodeState(node.disabled(), Marker.EMPTY), node.store().read());

        Files.createFile(node.offline().file());
        assertEquals("offline", node.store().read().state().name(), "highest priority wins");

        Files.delete(node.offline().file());
        assertEquals("disabled", node.store().read().state().name());

        Files.delete(node.disabled().file());
        assertEquals("enabled", node.store().read().state().name());
    }

    @Test
    void aChangeClearsMarkersTouchedByHand() throws Exception {
        StateTable table = Tables.custom(dir);
        for (State s : table.states()) {
            if (!s.isDefault()) Files.createFile(s.file());
        }
        StateStore store = new StateStore(table);
        assertEquals("offline", store.read().state().name());
        store.change(table.byName("draining").orElseThrow(), marker("drain it"));
        assertEquals(List.of("node_draining"), Tables.existingMarkers(table));
        assertEquals("drain it", store.read().marker().reason());
        store.change(table.defaultState(), Marker.EMPTY);
        assertEquals(List.of(), Tables.existingMarkers(table));
    }

    @Test
    void metadataRoundTrips() throws Exception {
        StateTable table = Tables.classic(dir);
        StateStore store = new StateStore(table);
        State disabled = table.byName("disabled").orElseThrow();
        Marker full = new Marker(SINCE, "bob (uid 0, pid 1)", "kernel upgrade; ticket #42 = done", Instant.parse("2026-03-04T07:06:07Z"));
        assertEquals(full, store.change(disabled, full).after().marker());
        assertEquals(full, new StateStore(table).read().marker());
        assertEquals(full.format(), Files.readString(disabled.file()));

        // Setting the same state again replaces its metadata.
        Marker partial = new Marker(null, null, "second", null);
        store.change(disabled, partial);
        assertEquals(partial, store.read().marker());
        assertEquals("reason=second\n", Files.readString(disabled.file()));

        store.change(disabled, Marker.EMPTY);
        assertEquals(0, Files.size(disabled.file()));
        assertEquals(new NodeState(disabled, Marker.EMPTY), store.read());
    }

    @Test
    void garbageInAMarkerStillMeansItsState() throws Exception {
        StateTable table = Tables.classic(dir);
        State offline = table.byName("offline").orElseThrow();
        Files.write(offline.file(), new byte[] {(byte) 0xff, (byte) 0xfe, 0, '\n', 'z', 'z', '\n', '=', 'x', '\n'});
        NodeState s = new StateStore(table).read();
        assertEquals(offline, s.state());
        assertEquals(Marker.EMPTY, s.marker());

        Files.writeString(offline.file(), "since=yesterday\nreason=cable cut\nexpires=never\n");
        s = new StateStore(table).read();
        assertEquals(offline, s.state());
        assertEquals(new Marker(null, null, "cable cut", null), s.marker());
    }

    @Test
    void aHugeMarkerIsReadByItsHead() throws Exception {
        StateTable table = Tables.classic(dir);
        State disabled = table.byName("disabled").orElseThrow();
        Files.writeString(disabled.file(), "reason=big\n" + "x".repeat(1 << 20) + "\n", StandardCharsets.UTF_8);
        NodeState s = new StateStore(table).read();
        assertEquals(disabled, s.state());
        assertEquals("big", s.marker().reason());
    }

    /** A marker that cannot be read (here: a directory) still counts: its state, without metadata. */
    @Test
    void unreadableMarkerStillCounts() throws Exception {
        StateTable table = Tables.classic(dir);
        State disabled = table.byName("disabled").orElseThrow();
        Files.createDirectory(disabled.file());
        assertEquals(new NodeState(disabled, Marker.EMPTY), new StateStore(table).read());
    }

    @Test
    void stateDirectoryIsCreatedOnFirstChange() throws Exception {
        Path nested = dir.resolve("a/b/c");
        StateTable table = Tables.classic(nested);
        new StateStore(table).change(table.byName("offline").orElseThrow(), marker("x"));
        assertTrue(Files.isRegularFile(nested.resolve("node_offline")));
        assertTrue(Files.isRegularFile(nested.resolve(".plight.lock")));
    }

    @Test
    void leftoverTempFileOfACrashIsHarmless() throws Exception {
        StateTable table = Tables.classic(dir);
        StateStore store = new StateStore(table);
        Files.writeString(dir.resolve(".node_disabled.plight-tmp"), "reason=half writt");
        assertEquals("enabled", store.read().state().name());
        store.change(table.byName("disabled").orElseThrow(), marker("whole"));
        assertEquals(marker("whole"), store.read().marker());
        assertEquals(List.of(), Tables.tempFiles(dir));
    }

    @Test
    void storeNeedsAStateWithAFile() {
        StateTable onlyDefault = new StateTable(List.of(new State("enabled", null, 200, "OK", "enable", "up ready", java.util.Map.of(), 0)));
        assertThrows(IllegalArgumentException.class, () -> new StateStore(onlyDefault));
    }

    // --- refusals: the OS's reason, nothing changed ---------------------------------------------------------

    private StoreException refusedInReadOnlyDir(StateTable table, String from, String fromReason, String to) throws Exception {
        StateStore store = new StateStore(table);
        store.change(table.byName(from).orElseThrow(), marker(fromReason)); // also creates the lock file
        NodeState before = store.read();
        StoreException e;
        String reason;
        try (ReadOnlyDir ro = ReadOnlyDir.of(dir)) {
            reason = ro.expectedReason();
            e = assertThrows(StoreException.class, () -> store.change(table.byName(to).orElseThrow(), marker("refused")));
            assertEquals(before, store.read(), "state unchanged");
            assertEquals(before, new StateStore(table).read(), "state unchanged, read by another store");
        }
        assertTrue(e.getMessage().contains(reason), () -> "'" + e.getMessage() + "' should carry the OS reason '" + reason + "'");
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertEquals(List.of(), Tables.tempFiles(dir));
        return e;
    }

    @Test
    void readOnlyDirectoryDefaultToMarker() throws Exception {
        StoreException e = refusedInReadOnlyDir(Tables.classic(dir), "enabled", null, "disabled");
        assertTrue(e.getMessage().contains(dir.resolve("node_disabled").toString()), e.getMessage());
    }

    @Test
    void readOnlyDirectoryMarkerToHigherMarker() throws Exception {
        refusedInReadOnlyDir(Tables.classic(dir), "disabled", "old", "offline");
    }

    @Test
    void readOnlyDirectoryMarkerToLowerMarker() throws Exception {
        refusedInReadOnlyDir(Tables.custom(dir), "offline", "old", "draining");
    }

    @Test
    void readOnlyDirectorySameStateNewMetadata() throws Exception {
        refusedInReadOnlyDir(Tables.classic(dir), "disabled", "old", "disabled");
    }

    @Test
    void readOnlyDirectoryBackToDefault() throws Exception {
        StoreException e = refusedInReadOnlyDir(Tables.classic(dir), "offline", "old", "enabled");
        assertTrue(e.getMessage().contains(dir.resolve("node_offline").toString()), e.getMessage());
    }

    @Test
    void readOnlyDirectoryWithoutALockFileYet() throws Exception {
        StateTable table = Tables.classic(dir);
        StateStore store = new StateStore(table);
        try (ReadOnlyDir ro = ReadOnlyDir.of(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> store.change(table.byName("offline").orElseThrow(), marker("x")));
            assertTrue(e.getMessage().contains(ro.expectedReason()), e.getMessage());
            assertEquals("enabled", store.read().state().name());
        }
    }

    @Test
    void stateDirectoryThatCannotBeCreated() throws Exception {
        StateTable table = Tables.classic(dir.resolve("sub/state"));
        StateStore store = new StateStore(table);
        try (ReadOnlyDir ro = ReadOnlyDir.of(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> store.change(table.byName("offline").orElseThrow(), marker("x")));
            assertTrue(e.getMessage().contains(ro.expectedReason()), e.getMessage());
            assertEquals("enabled", store.read().state().name());
        }
    }
}
