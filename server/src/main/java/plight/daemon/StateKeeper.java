package plight.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import plight.log.Log;
import plight.config.Durations;
import plight.control.Caller;
import plight.metrics.StateChanges;
import plight.metrics.StateChanges.Origin;
import plight.state.Marker;
import plight.state.NodeState;
import plight.state.State;
import plight.state.StateStore;
import plight.state.StateTable;
import plight.state.StoreException;

/**
 * The daemon's one writer of the node's state. Every step that can change what is served — a change asked for
 * on the control socket, a TTL running out, a reload, the once-a-second look at the marker files, the start —
 * runs under one lock, in one order: read the files, decide and check, make it durable, serve it, publish it.
 * The control path reads what was published without waiting for the writer, so a slow step never holds up
 * {@code status}; and since a reload is a step like any other, it cannot slip between a change and its answer.
 *
 * <p>A marker that cannot be checked (EACCES, EIO) keeps the last known state: "cannot tell" is never "absent".
 */
final class StateKeeper implements AutoCloseable {
    /** Who the audit log names when the daemon itself changes the state. */
    static final String SELF = "plight";
    /** The longest the TTL timer sleeps: a TTL further away is checked again then, never an overflow. */
    static final Duration MAX_TIMER = Duration.ofHours(1);
    /** How often a problem that persists is logged again. */
    static final Duration REPORT_EVERY = Duration.ofMinutes(1);

    /** What is served: the table in force and the node's state in it, published together. */
    record Published(StateTable table, NodeState node) {
    }

    /** A change that was made: the state as published, and leftovers that did not keep it from being served. */
    record Changed(NodeState node, List<String> warnings) {
    }

    /** A change or reload that was not made; the message says why, and what is served. */
    static final class Refused extends Exception {
        private final boolean usage;

        private Refused(String message, boolean usage) {
            super(message);
            this.usage = usage;
        }

        /** The caller asked for something the table in force does not allow (a usage error, not a failure). */
        boolean usage() {
            return usage;
        }
    }

    private final Object writer = new Object();
    private final ScheduledExecutorService timer;
    private final Consumer<State> serve;
    private final Clock clock;
    private final Reports reports;
    private final Duration poll;
    private final StateChanges changes;
    private volatile Published published;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> expiry;
    private volatile ScheduledFuture<?> polling;
    /** Guarded by {@link #writer}, as is everything below. */
    private StateStore store;
    /** Whether the last look at the files could not tell the state. */
    private boolean blind;

    /** @param poll how often the marker files are looked at for changes made by hand */
    StateKeeper(StateStore store, Consumer<State> serve, ScheduledExecutorService timer, Clock clock, Duration poll) {
        this(store, serve, timer, clock, poll, new StateChanges(clock::millis));
    }

    /** @param changes told of every change of the state served, with what made it */
    StateKeeper(StateStore store, Consumer<State> serve, ScheduledExecutorService timer, Clock clock, Duration poll,
                StateChanges changes) {
        this.changes = changes;
        this.store = store;
        this.poll = poll;
        this.serve = serve;
        this.timer = timer;
        this.clock = clock;
        this.reports = new Reports(REPORT_EVERY);
    }

    /**
     * Reads the state on disk, clears an expired TTL, serves the result and starts following the files.
     *
     * @throws StoreException when the files cannot tell the state: without a last known state nothing is safe to serve
     */
    NodeState start() throws StoreException {
        synchronized (writer) {
            publish(store.table(), store.read());
            expireIfDue();
            scheduleExpiry();
            polling = timer.scheduleWithFixedDelay(this::refresh, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
            return published.node();
        }
    }

    /** The state last published; never waits for the writer. */
    NodeState current() {
        return published.node();
    }

    /** The table in force; never waits for the writer. */
    StateTable table() {
        return published.table();
    }

    /** A state by verb or name in the table in force, for reading; a change looks its state up itself. */
    Optional<State> lookup(String word) {
        return published.table().byVerbOrName(word);
    }

    /**
     * Makes the state {@code word} names in the table in force the state: durable, then served, then returned.
     *
     * @param by     the caller, as marker files and the audit log name it
     * @param reason may be {@code null}
     * @param ttl    may be {@code null}
     * @throws Refused when {@code word} names no state, a TTL is asked for the default state, or the files do
     *                 not give the state afterwards (the message then says what is served)
     */
    Changed change(String word, String by, String reason, Duration ttl) throws Refused {
        return change(word, by, null, reason, ttl);
    }

    /** As {@link #change(String, String, String, Duration)}; {@code caller}, when known, gives the log its uid and pid. */
    Changed change(String word, String by, Caller caller, String reason, Duration ttl) throws Refused {
        synchronized (writer) {
            StateTable table = store.table();
            State target = table.byVerbOrName(word).orElseThrow(() -> new Refused("unknown state '" + word + "' (valid: "
                    + String.join(", ", table.states().stream().map(State::name).toList()) + ")", true));
            if (ttl != null && target.isDefault()) {
                throw new Refused("ttl returns the node to the default state '" + target.name()
                        + "'; it applies to the other states only", true);
            }
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Marker marker = new Marker(now, by, reason, ttl == null ? null : now.plus(ttl));
            State before = published.node().state();
            StateStore.Change change;
            try {
                change = store.change(target, marker);
            } catch (StoreException e) {
                Log.event("state_change_failed").field("from", before.name()).field("to", target.name()).caller(caller)
                        .field("reason", e.getMessage())
                        .error("state change {} -> {} by {} failed: {}", before.name(), target.name(), by, e.getMessage());
                // What the files give now; when they cannot tell, the last known state stays.
                e.served().ifPresent(served -> publish(table, served));
                State served = published.node().state();
                if (!served.equals(before)) {
                    changes.changed(before.name(), served.name(), Origin.FILE);
                    Log.event("state_change").field("from", before.name()).field("to", served.name()).field("origin", "file")
                            .info("state {} -> {} (marker files as left by the failed change)", before.name(), served.name());
                }
                scheduleExpiry();
                throw new Refused("cannot change the state to '" + target.name() + "': " + e.getMessage()
                        + (served.equals(before) ? "; still serving '" : "; now serving '") + served.name() + "'", false);
            }
            publish(table, change.after());
            if (!change.after().state().name().equals(before.name())) {
                changes.changed(before.name(), change.after().state().name(), Origin.CLI);
            }
            Log.event("state_change").field("from", before.name()).field("to", target.name()).field("origin", "cli")
                    .field("by", caller == null ? by : caller.user())
                    .field("uid", caller == null ? null : caller.uid()).field("pid", caller == null ? null : caller.pid())
                    .field("reason", reason).field("ttl", ttl == null ? null : Durations.format(ttl))
                    .field("expires", marker.expires())
                    .info("state {} -> {} by {}{}{}", before.name(), target.name(), by,
                    ttl == null ? "" : " for " + Durations.format(ttl), reason == null ? "" : ", reason: " + reason);
            change.warnings().forEach(w -> Log.warn("state {} is served, but {}", target.name(), w));
            scheduleExpiry();
            return new Changed(change.after(), change.warnings());
        }
    }

    /**
     * Swaps in the states of a reloaded configuration, in one step with the check that the swap alone changes
     * nothing served: the same state (by name) must come out of the files under both tables.
     *
     * @param source how to name the new configuration in a refusal
     * @return the state served under the new table
     * @throws Refused when another state would be served, or the files cannot be checked
     * @throws IllegalArgumentException when the new table cannot be served; nothing changed
     */
    NodeState reload(StateTable next, String source) throws Refused {
        synchronized (writer) {
            StateStore nextStore;
            NodeState now;
            NodeState then;
            try {
                nextStore = new StateStore(next);
                now = store.read();
                then = nextStore.read();
            } catch (StoreException e) {
                throw new Refused("the marker files cannot be checked: " + e.getMessage(), false);
            }
            if (!sameState(now.state(), then.state())) {
                throw new Refused(whyNot(now.state(), then.state(), next, source), false);
            }
            publish(next, then);
            store = nextStore;
            if (!now.state().name().equals(then.state().name())) {
                changes.changed(now.state().name(), then.state().name(), Origin.RELOAD);
            }
            scheduleExpiry();
            return then;
        }
    }

    private static boolean sameState(State a, State b) {
        // The default state is no marker's: renaming it changes no marker's meaning.
        return a.name().equals(b.name()) || a.isDefault() && b.isDefault();
    }

    /** Why a reload would change the served state, naming the marker concerned. */
    private static String whyNot(State now, State then, StateTable next, String source) {
        String prefix = "the node is in '" + now.name() + "'";
        if (!now.isDefault()) {
            Optional<State> same = next.byName(now.name()).filter(s -> !s.isDefault());
            if (same.isEmpty()) {
                return prefix + ", which " + source + " no longer has as a state with a file (its marker " + now.file()
                        + " would be left behind and '" + then.name() + "' served); set another state first";
            }
            if (!same.get().file().equals(now.file())) {
                return prefix + ", whose marker " + now.file() + " would be left behind: " + source + " looks for it at "
                        + same.get().file() + ", so '" + then.name() + "' would be served; move the marker there or set another state first";
            }
        }
        return prefix + ", but under " + source + " '" + then.name() + "' would be served"
                + (then.isDefault() ? "" : " (" + then.file() + " exists)");
    }

    /** Picks up changes made to the marker files behind our back; run once a second. */
    void refresh() {
        synchronized (writer) {
            if (closed) return;
            try {
                NodeState onDisk = readOrTellWhyNot();
                if (onDisk == null) return;
                if (blind) {
                    blind = false;
                    reports.clear();
                    Log.info("the marker files can be checked again; serving '{}'", onDisk.state().name());
                }
                NodeState known = published.node();
                if (!onDisk.equals(known)) {
                    if (!onDisk.state().equals(known.state())) {
                        changes.changed(known.state().name(), onDisk.state().name(), Origin.FILE);
                        Log.event("state_change").field("from", known.state().name()).field("to", onDisk.state().name())
                                .field("origin", "file")
                                .info("state {} -> {} (marker files changed on disk)", known.state().name(), onDisk.state().name());
                    }
                    publish(store.table(), onDisk);
                    scheduleExpiry();
                }
                expireIfDue();
            } catch (RuntimeException e) {
                // Logged, and the next second tries again: a scheduled task that throws is never run again.
                Log.error(e, "following the marker files failed");
            }
        }
    }

    /** The state in the files; {@code null} when they cannot tell it, which {@link #cannotTell} has reported. */
    private NodeState readOrTellWhyNot() {
        try {
            return store.read();
        } catch (StoreException e) {
            cannotTell(e.getMessage());
            return null;
        }
    }

    /** The files cannot tell the state: keep serving the last known one, and say so (once, then once a minute). */
    private void cannotTell(String problem) {
        blind = true;
        if (reports.due(problem, clock.instant())) {
            Log.error("cannot check the marker files, still serving '{}': {}", published.node().state().name(), problem);
        }
    }

    /** Serves {@code node}, then publishes it with its table; if it cannot be served, nothing changes. */
    private void publish(StateTable table, NodeState node) {
        serve.accept(node.state());
        published = new Published(table, node);
    }

    /** Wakes up at the earliest TTL on disk, shadowed markers included, or after {@link #MAX_TIMER} at the latest. */
    private void scheduleExpiry() {
        ScheduledFuture<?> old = expiry;
        if (old != null) {
            old.cancel(false);
            expiry = null;
        }
        if (closed) return;
        Instant earliest = null;
        for (NodeState m : store.markersWithTtl()) {
            Instant e = m.marker().expires();
            if (earliest == null || e.isBefore(earliest)) earliest = e;
        }
        if (earliest == null) return;
        expiry = timer.schedule(this::onExpiryTimer, delayMillis(clock.instant(), earliest), TimeUnit.MILLISECONDS);
    }

    /** Milliseconds from {@code now} to {@code at}, rounded up and saturated to [0, {@link #MAX_TIMER}]. */
    static long delayMillis(Instant now, Instant at) {
        if (!at.isAfter(now)) return 0;
        // Between two Instants, seconds never overflow; only the conversion to milliseconds could.
        Duration d = Duration.between(now, at);
        if (d.compareTo(MAX_TIMER) >= 0) return MAX_TIMER.toMillis();
        return d.toMillis() + (d.toNanosPart() % 1_000_000 == 0 ? 0 : 1);
    }

    private void onExpiryTimer() {
        synchronized (writer) {
            if (closed) return;
            try {
                expireIfDue();
                scheduleExpiry();
            } catch (RuntimeException e) {
                Log.error(e, "ending a ttl failed");
            }
        }
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
                Log.event("ttl_expired").field("state", m.state().name()).field("by", m.marker().by())
                        .field("expires", m.marker().expires())
                        .info("ttl of '{}' set by {} expired at {}", m.state().name(), m.marker().by(), m.marker().expires());
            } catch (StoreException e) {
                String problem = "cannot end the ttl of '" + m.state().name() + "': " + e.getMessage();
                if (reports.due(problem, now)) Log.error("{}; retrying every second", problem);
            }
        }
        if (!removed) return;
        NodeState after = readOrTellWhyNot();
        if (after == null) return;
        NodeState known = published.node();
        if (!after.state().equals(known.state())) {
            changes.changed(known.state().name(), after.state().name(), Origin.TTL);
            Log.event("state_change").field("from", known.state().name()).field("to", after.state().name())
                    .field("origin", "ttl").field("by", SELF)
                    .info("state {} -> {} by {} (ttl expired)", known.state().name(), after.state().name(), SELF);
        }
        publish(store.table(), after);
        scheduleExpiry();
    }

    /** Stops following the files; never waits for the writer, so a stop cannot hang behind a step. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> p = polling;
        if (p != null) p.cancel(false);
        ScheduledFuture<?> e = expiry;
        if (e != null) e.cancel(false);
    }
}
