package plight.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.tinylog.Logger;
import plight.config.Durations;
import plight.state.Marker;
import plight.state.NodeState;
import plight.state.State;
import plight.state.StateStore;
import plight.state.StateTable;
import plight.state.StoreException;

/**
 * The daemon's one place where the node's state changes. A change is persisted through the {@link StateStore}
 * first, then handed to the probe path, then acknowledged; if it cannot be persisted, the old state keeps being
 * served. It also follows the marker files (an operator's {@code touch}/{@code rm}, once a second) and returns
 * the node to the default state when a {@code --ttl} expires, also one found expired at start.
 */
final class StateKeeper implements AutoCloseable {
    /** Who the audit log names when the daemon itself changes the state. */
    static final String SELF = "plight";

    private final ScheduledExecutorService timer;
    private final Consumer<State> serve;
    private final Clock clock;
    private StateStore store;
    private NodeState current;
    private ScheduledFuture<?> expiry;
    private ScheduledFuture<?> polling;

    StateKeeper(StateStore store, Consumer<State> serve, ScheduledExecutorService timer, Clock clock) {
        this.store = store;
        this.serve = serve;
        this.timer = timer;
        this.clock = clock;
    }

    /** Reads the state on disk, clears an expired TTL, serves the result and starts following the files. */
    synchronized NodeState start() {
        current = store.read();
        serve.accept(current.state());
        expireIfDue();
        scheduleExpiry();
        polling = timer.scheduleWithFixedDelay(this::refresh, 1, 1, TimeUnit.SECONDS);
        return current;
    }

    synchronized NodeState current() {
        return current;
    }

    synchronized StateTable table() {
        return store.table();
    }

    /**
     * Makes {@code target} the state: durable, then served, then returned.
     *
     * @param by     the caller, as marker files and the audit log name it
     * @param reason may be {@code null}
     * @param ttl    may be {@code null}
     */
    synchronized NodeState change(State target, String by, String reason, Duration ttl) throws StoreException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Marker marker = new Marker(now, by, reason, ttl == null ? null : now.plus(ttl));
        State before = current.state();
        NodeState after;
        try {
            after = store.change(target, marker);
        } catch (StoreException e) {
            Logger.error("state change {} -> {} by {} failed: {}", before.name(), target.name(), by, e.getMessage());
            current = store.read();
            serve.accept(current.state());
            throw e;
        }
        current = after;
        serve.accept(after.state());
        Logger.info("state {} -> {} by {}{}{}", before.name(), after.state().name(), by,
                ttl == null ? "" : " for " + Durations.format(ttl),
                reason == null ? "" : ", reason: " + reason);
        scheduleExpiry();
        return after;
    }

    /** Swaps in the states of a reloaded configuration and serves what the marker files say under them. */
    synchronized NodeState reload(StateTable table) {
        store = new StateStore(table);
        current = store.read();
        serve.accept(current.state());
        scheduleExpiry();
        return current;
    }

    /** Picks up changes made to the marker files behind our back. */
    synchronized void refresh() {
        try {
            NodeState onDisk = store.read();
            if (!Objects.equals(onDisk, current)) {
                if (!onDisk.state().equals(current.state())) {
                    Logger.info("state {} -> {} (marker files changed on disk)", current.state().name(), onDisk.state().name());
                }
                current = onDisk;
                serve.accept(onDisk.state());
                scheduleExpiry();
            }
            expireIfDue();
        } catch (RuntimeException e) {
            Logger.error(e, "reading the marker files failed");
        }
    }

    /** Wakes up at the earliest TTL on disk, shadowed markers included. */
    private void scheduleExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        Instant earliest = null;
        for (NodeState m : store.markersWithTtl()) {
            Instant e = m.marker().expires();
            if (earliest == null || e.isBefore(earliest)) earliest = e;
        }
        if (earliest == null) return;
        long delay = Math.max(0, Duration.between(clock.instant(), earliest).toMillis());
        expiry = timer.schedule(this::expireIfDueLocked, delay, TimeUnit.MILLISECONDS);
    }

    private synchronized void expireIfDueLocked() {
        expireIfDue();
    }

    /**
     * Removes every marker whose TTL has passed, and only those: a marker someone wrote meanwhile stays, so
     * the node falls to the next state on disk rather than past it to the default.
     */
    private void expireIfDue() {
        Instant now = clock.instant();
        boolean removed = false;
        for (NodeState m : store.markersWithTtl()) {
            if (!m.marker().expiredAt(now)) continue;
            try {
                store.expire(m.state(), m.marker().expires());
                removed = true;
                Logger.info("ttl of '{}' set by {} expired at {}", m.state().name(), m.marker().by(), m.marker().expires());
            } catch (StoreException e) {
                Logger.error("cannot end the ttl of '{}': {}; retrying in 1s", m.state().name(), e.getMessage());
            }
        }
        if (!removed) return;
        NodeState after = store.read();
        if (!after.state().equals(current.state())) {
            Logger.info("state {} -> {} by {} (ttl expired)", current.state().name(), after.state().name(), SELF);
        }
        current = after;
        serve.accept(after.state());
        scheduleExpiry();
    }

    /** A state by verb or name in the current table. */
    synchronized Optional<State> lookup(String word) {
        return store.table().byVerbOrName(word);
    }

    @Override
    public synchronized void close() {
        if (polling != null) polling.cancel(false);
        if (expiry != null) expiry.cancel(false);
    }
}
