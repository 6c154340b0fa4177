package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.control.Reply;
import plight.control.server.ControlWire;
import plight.state.StoreException;
import plight.testkit.MarkerHazards;

/**
 * Things at a marker path that are not a marker file: the daemon keeps answering, keeps the right state and
 * never takes a marker it cannot check for an absent one.
 */
// A thread blocked in open() on a FIFO does not answer an interrupt: fail from another thread instead of hanging.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MarkerHazardsTest {
    @TempDir
    Path dir;

    @Test
    void aFifoAtAMarkerPathIsServedAndNeverWedgesTheDaemon() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            Path disabled = MarkerHazards.fifo(node.marker("disabled"));
            // It exists, so it is the state, as an operator's touch would be; the one-second look must not block on it.
            node.awaitServed(404, "the FIFO at node_disabled to be served");
            Reply status = w.call("status");
            assertEquals("disabled", status.get("state"));
            assertNull(status.get("since"), "a FIFO has no metadata");

            Reply offline = w.call("set offline reason=fifo");
            assertEquals("offline", offline.get("state"), offline::render);
            assertEquals(503, node.probeOnce().code());
            Reply enable = w.call("set enable");
            assertEquals("enabled", enable.get("state"), enable::render);
            assertFalse(Files.exists(disabled), "enable removes the FIFO like any marker");
            assertEquals(200, node.probeOnce().code());
        }
    }

    @Test
    void aFifoAtAMarkerPathAtStartIsServed() throws Exception {
        MarkerHazards.fifo(dir.resolve("state/node_offline"));
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertEquals(503, node.probeOnce().code());
            assertEquals("offline", w.call("status").get("state"));
        }
    }

    /**
     * The daemon cannot tell whether the current state's marker is still there (here a link to itself, ELOOP; in
     * the field a directory it may not search, EACCES): it keeps the last known state rather than serving the
     * default, and follows the files again once it can check them.
     */
    @Test
    void aMarkerThatCannotBeCheckedKeepsTheLastKnownState() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertEquals("disabled", w.call("set disabled reason=keep me").get("state"));
            Path disabled = node.marker("disabled");
            Files.delete(disabled);
            MarkerHazards.unresolvable(disabled);

            node.keeper.refresh();
            assertEquals(404, node.probeOnce().code(), "cannot tell is not absent");
            assertEquals("disabled", w.call("status").get("state"));
            assertEquals("keep me", w.call("status").get("reason"));
            node.keeper.refresh();
            assertEquals(404, node.probeOnce().code());

            // Checkable again (and absent): followed again.
            Files.delete(disabled);
            node.keeper.refresh();
            assertEquals(200, node.probeOnce().code());
            assertEquals("enabled", w.call("status").get("state"));
        }
    }

    /** Without a last known state there is nothing safe to serve: the daemon does not start, and says why. */
    @Test
    void aMarkerThatCannotBeCheckedAtStartStopsTheStart() throws Exception {
        Path offline = Files.createDirectories(dir.resolve("state")).resolve("node_offline");
        MarkerHazards.unresolvable(offline);
        StoreException e = assertThrows(StoreException.class, () -> LiveNode.start(dir).close());
        assertTrue(e.getMessage().startsWith("cannot check whether " + offline + " exists: "), e.getMessage());
    }
}
