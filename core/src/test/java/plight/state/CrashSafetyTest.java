package plight.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

/**
 * A stop after each step of a change: what a fresh store reads afterwards is the old state while the new
 * marker is not yet in place, and from then on the new state or a higher-priority one, never a lower one, never
 * the default by accident.
 */
class CrashSafetyTest {
    @TempDir
    Path dir;

    private static final Marker OLD = new Marker(Instant.parse("2026-01-01T00:00:00Z"), "old", "old reason", null);
    private static final Marker NEW = new Marker(Instant.parse("2026-02-02T00:00:00Z"), "new", "new reason", null);

    /** Simulated crash: the change stops dead after the step. */
    private static final class Crash extends IOException {
        Crash(String step) {
            super("simulated crash after '" + step + "'");
        }
    }

    /** The step names a change from {@code from} to {@code to} goes through. */
    private static List<String> stepsOf(Function<Path, StateTable> make, Path scratch, String from, String to) throws Exception {
        StateTable table = make.apply(scratch);
        new StateStore(table).change(table.byName(from).orElseThrow(), OLD);
        List<String> steps = new ArrayList<>();
        new StateStore(table, steps::add).change(table.byName(to).orElseThrow(), NEW);
        return steps;
    }

    @TestFactory
    Stream<DynamicTest> crashAfterEveryStepOfEveryTransition() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<Function<Path, StateTable>> tables = List.of(Tables::classic, Tables::custom, Tables::defaultInTheMiddle);
        List<String> tableNames = List.of("classic", "custom", "default-in-the-middle");
        int cases = 0;
        for (int t = 0; t < tables.size(); t++) {
            Function<Path, StateTable> make = tables.get(t);
            for (State from : make.apply(Path.of("/unused")).states()) {
                for (State to : make.apply(Path.of("/unused")).states()) {
                    String transition = tableNames.get(t) + "-" + from.name() + "-" + to.name();
                    List<String> steps = stepsOf(make, dir.resolve("steps-" + transition), from.name(), to.name());
                    assertFalse(steps.isEmpty(), transition + " has no steps");
                    for (int k = 0; k < steps.size(); k++) {
                        int crashAt = k;
                        Path caseDir = dir.resolve(transition + "-" + k);
                        tests.add(DynamicTest.dynamicTest(transition.replace('-', ' ') + ", crash after '" + steps.get(k) + "'",
                                () -> crashCase(make.apply(caseDir), from.name(), to.name(), crashAt, steps)));
                        cases++;
                    }
                }
            }
        }
        assertTrue(cases > 100, "only " + cases + " cases");
        return tests.stream();
    }

    private void crashCase(StateTable table, String fromName, String toName, int crashAt, List<String> steps) throws Exception {
        State from = table.byName(fromName).orElseThrow();
        State to = table.byName(toName).orElseThrow();
        new StateStore(table).change(from, OLD);

        int[] seen = {0};
        StateStore crashing = new StateStore(table, step -> {
            if (seen[0]++ == crashAt) throw new Crash(step);
        });
        StoreException e = assertThrows(StoreException.class, () -> crashing.change(to, NEW));
        assertTrue(e.getCause() instanceof Crash, "the simulated crash is what stopped it: " + e);

        NodeState after = new StateStore(table).read();
        State got = after.state();
        // The new marker is in place once the step naming its rename has happened.
        int committedAt = to.isDefault() ? 0 : indexOfStartingWith(steps, "rename ");
        String where = "crash after '" + steps.get(crashAt) + "' (steps " + steps + "): read " + got.name();
        if (crashAt < committedAt) {
            assertEquals(from, got, where + "; before the new marker is in place the old state stays");
            if (!from.isDefault()) assertEquals(OLD, after.marker(), where);
        } else {
            assertTrue(got.priority() >= to.priority(), where + ", lower than the target " + to.name());
            if (got.equals(to) && !to.isDefault()) assertEquals(NEW, after.marker(), where);
        }
        if (got.isDefault()) {
            assertTrue(from.isDefault() || to.isDefault(), where + ": back to the default by accident");
        }

        // Whatever the crash left, the next change completes and cleans up.
        StateStore recovered = new StateStore(table);
        recovered.change(to, NEW);
        assertEquals(to, recovered.read().state());
        assertEquals(to.isDefault() ? List.of() : List.of(to.file().getFileName().toString()), Tables.existingMarkers(table));
    }

    private static int indexOfStartingWith(List<String> steps, String prefix) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).startsWith(prefix)) return i;
        }
        throw new AssertionError("no step starting with '" + prefix + "' in " + steps);
    }

    /** The order SPEC fixes: the new marker is written and its directory synced before any other is removed. */
    @Test
    void newMarkerIsDurableBeforeAnyRemoval() throws Exception {
        StateTable table = Tables.classic(dir);
        new StateStore(table).change(table.byName("offline").orElseThrow(), OLD);
        List<String> steps = new ArrayList<>();
        new StateStore(table, steps::add).change(table.byName("disabled").orElseThrow(), NEW);
        assertEquals(5, steps.size(), steps.toString());
        assertTrue(steps.get(0).startsWith("write "), steps.toString());
        assertEquals("rename node_disabled", steps.get(1));
        assertTrue(steps.get(2).startsWith("sync "), steps.toString());
        assertEquals("remove offline", steps.get(3));
        assertEquals("sync removals", steps.get(4));
    }

    /**
     * Every marker present (an operator touched them), then a change to each state: a crash after any step leaves
     * the target or a higher-priority state, and markers remain until the last removal.
     */
    @Test
    void crashWhileClearingSeveralMarkers() throws Exception {
        for (String target : List.of("enabled", "draining", "disabled", "offline")) {
            for (int k = 0; ; k++) {
                Path caseDir = dir.resolve("several-" + target + "-" + k);
                StateTable table = Tables.custom(caseDir);
                java.nio.file.Files.createDirectories(caseDir);
                for (State s : table.states()) {
                    if (!s.isDefault()) java.nio.file.Files.createFile(s.file());
                }
                State to = table.byName(target).orElseThrow();
                int crashAt = k;
                int[] seen = {0};
                List<String> steps = new ArrayList<>();
                StateStore crashing = new StateStore(table, step -> {
                    steps.add(step);
                    if (seen[0]++ == crashAt) throw new Crash(step);
                });
                try {
                    crashing.change(to, NEW);
                    assertEquals(to, new StateStore(table).read().state());
                    assertTrue(k > 2, "a change with removals has more than " + k + " steps");
                    break; // k is past the last step: the change completed
                } catch (StoreException e) {
                    assertTrue(e.getCause() instanceof Crash, e.toString());
                }
                State got = new StateStore(table).read().state();
                assertTrue(got.priority() >= to.priority(), target + ": crash after " + steps + " read " + got.name());
                assertFalse(got.isDefault() && !to.isDefault(), target + ": crash after " + steps + " read the default");
            }
        }
    }
}
