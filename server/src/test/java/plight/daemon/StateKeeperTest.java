package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.config.Config;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.control.Reply;
import plight.control.server.ControlWire;
import plight.state.NodeState;
import plight.state.State;
import plight.state.StateStore;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/**
 * The daemon follows its state over time: a {@code --ttl} runs out (also one that ran out while it was down),
 * and an operator's {@code touch}/{@code rm} of a marker file is served within a second.
 */
@Timeout(60)
class StateKeeperTest {
    @TempDir
    Path dir;

    @Test
    void aTtlReturnsTheNodeToTheDefaultState() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            Reply set = w.call("set offline ttl=1s reason=short");
            assertTrue(set.isOk(), set::render);
            assertEquals(503, node.probeOnce().code());
            assertTrue(Files.readString(node.marker("offline")).contains("expires=" + set.get("expires")));

            long t0 = System.nanoTime();
            Await.until(LiveNode.probes(node, 200), Duration.ofSeconds(1).plus(LiveNode.FOLLOW), "the probe port to serve 'enabled' again");
            assertFalse(Files.exists(node.marker("offline")), "the expired marker is removed from disk");
            Reply status = w.call("status");
            assertEquals("enabled", status.get("state"));
            assertEquals("yes", status.get("default"));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2500, "the ttl ran out late");
        }
    }

    @Test
    void aTtlThatRanOutWhileTheDaemonWasDownIsClearedAtStart() throws Exception {
        Path marker = Files.createDirectories(dir.resolve("state")).resolve("node_offline");
        Instant past = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
        Files.writeString(marker, "since=" + past.minus(Duration.ofHours(1)) + "\nby=ops\nreason=old\nexpires=" + past + "\n");
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            RawHttp.Response first = node.probeOnce();
            assertEquals(200, first.code(), "the first probe after start sees the default state");
            assertFalse(Files.exists(marker), "the expired marker is removed at start");
            assertEquals("enabled", w.call("status").get("state"));
        }
    }

    @Test
    void aTtlStillRunningAtStartRunsOutLater() throws Exception {
        Path marker = Files.createDirectories(dir.resolve("state")).resolve("node_disabled");
        Instant expires = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
        Files.writeString(marker, "since=" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\nexpires=" + expires + "\n");
        try (LiveNode node = LiveNode.start(dir)) {
            assertEquals(404, node.probeOnce().code(), "a ttl that has not run out is served");
            assertEquals(expires.toString(), node.actions.status().get("expires"));
            Await.until(LiveNode.probes(node, 200), Duration.ofSeconds(3).plus(LiveNode.FOLLOW), "the ttl to run out");
            assertFalse(Files.exists(marker));
            assertFalse(Instant.now().isBefore(expires), "served the default state before the ttl ran out");
        }
    }

    @Test
    void anOperatorsTouchAndRmAreServedWithinASecond() throws Exception {
        try (LiveNode node = LiveNode.start(dir); RawHttp keepAlive = new RawHttp(node.port())) {
            assertEquals(200, keepAlive.get().code());
            Path disabled = node.marker("disabled");
            Path offline = node.marker("offline");
            Files.createDirectories(disabled.getParent());

            Files.createFile(disabled);
            node.awaitServed(404, "touch node_disabled to be served");
            assertEquals(404, keepAlive.get().code(), "open connections see it too");
            assertEquals("disabled", node.actions.status().get("state"));
            assertNull(node.actions.status().get("since"), "an empty marker has no metadata");

            Files.createFile(offline);
            node.awaitServed(503, "touch node_offline (higher priority) to be served");

            Files.delete(offline);
            node.awaitServed(404, "rm node_offline to fall back to 'disabled'");
            Files.delete(disabled);
            node.awaitServed(200, "rm node_disabled to be served");
            assertEquals(200, keepAlive.get().code());
        }
    }

    @Test
    void anOperatorsMarkerWithATtlIsFollowedToo() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            Path offline = node.marker("offline");
            Files.createDirectories(offline.getParent());
            // Expiring after the next one-second look at the files, so that it is served before it runs out.
            Files.writeString(offline, "reason=hand-made\nexpires=" + Instant.now().plusMillis(2500) + "\n");
            node.awaitServed(503, "the hand-made marker to be served");
            Await.until(LiveNode.probes(node, 200), LiveNode.FOLLOW.plusMillis(2500), "its ttl to run out");
            assertFalse(Files.exists(offline));
        }
    }

    /** A valid instant, near the end of what {@link Instant} can hold: "never", not an overflow. */
    static final String FAR_FUTURE = "+1000000000-01-01T00:00:00Z";

    @Test
    void theTtlTimerSaturatesInsteadOfOverflowing() {
        Instant now = Instant.parse("2026-11-25T08:45:00Z");
        assertEquals(StateKeeper.MAX_TIMER.toMillis(), StateKeeper.delayMillis(now, Instant.parse(FAR_FUTURE)));
        assertEquals(StateKeeper.MAX_TIMER.toMillis(), StateKeeper.delayMillis(now, Instant.MAX));
        assertEquals(0, StateKeeper.delayMillis(now, Instant.parse("-1000000000-01-01T00:00:00Z")));
        assertEquals(0, StateKeeper.delayMillis(now, Instant.MIN));
        assertEquals(1500, StateKeeper.delayMillis(now, now.plusMillis(1500)));
        assertEquals(1, StateKeeper.delayMillis(now, now.plusNanos(1)), "never early: a timer that fires early finds nothing to do");
    }

    @Test
    void aFarFutureExpiryAtStartIsServed() throws Exception {
        Path marker = Files.createDirectories(dir.resolve("state")).resolve("node_disabled");
        Files.writeString(marker, "reason=for ever\nexpires=" + FAR_FUTURE + "\n");
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertEquals(404, node.probeOnce().code());
            Reply status = w.call("status");
            assertEquals("disabled", status.get("state"));
            assertEquals(FAR_FUTURE, status.get("expires"));
            // A short ttl above it still runs out, back to the far-future one.
            Files.writeString(node.marker("offline"), "expires=" + Instant.now().plusMillis(1500) + "\n");
            // The marker goes first, then the state is served: wait for both.
            Await.until(() -> !Files.exists(node.marker("offline")) && LiveNode.probes(node, 404).getAsBoolean(), LiveNode.FOLLOW,
                    "its ttl to run out and 'disabled' to be served again");
            assertTrue(Files.exists(marker));
            assertEquals("disabled", w.call("status").get("state"));
        }
    }

    @Test
    void aFarFutureExpiryWrittenWhileRunningIsServedAndReloadsStillWork() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            Path offline = node.marker("offline");
            Files.createDirectories(offline.getParent());
            Files.writeString(offline, "expires=" + FAR_FUTURE + "\n");
            node.awaitServed(503, "the marker to be served");
            Reply reload = w.call("reload");
            assertTrue(reload.isOk(), reload::render);
            assertEquals("offline", reload.get("state"));
            assertEquals(FAR_FUTURE, w.call("status").get("expires"));
            assertEquals(503, node.probeOnce().code());
        }
    }

    /**
     * {@code --ttl 1s} means at least a second: the expiry must not be computed from a start time rounded down
     * to the second, which shortens every ttl by up to 999 ms (all of it, for {@code ttl=1s} set at x.999).
     */
    @Test
    void aTtlIsNotShortenedByRoundingTheStartTime() throws Exception {
        Config config = new ConfigLoader(Environment.current()).loadFile(LiveNode.writeConf(dir, LiveNode.CONF));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Instant now = Instant.parse("2026-11-25T08:45:00.900Z");
        AtomicReference<State> served = new AtomicReference<>();
        StateKeeper keeper = new StateKeeper(new StateStore(config.states()), served::set, timer, Clock.fixed(now, ZoneOffset.UTC),
                Timings.DEFAULT.markerPoll());
        try {
            keeper.start();
            NodeState after = keeper.change("offline", "test", null, Duration.ofSeconds(1)).node();
            Instant expires = after.marker().expires();
            assertFalse(expires.isBefore(now.plusSeconds(1)), "ttl=1s set at " + now + " expires at " + expires);
        } finally {
            keeper.close();
            timer.shutdownNow();
        }
    }
}
