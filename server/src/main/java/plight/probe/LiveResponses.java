package plight.probe;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import plight.state.State;

/**
 * The response table probes are answered from right now. Event loops read it once per request without
 * locking; {@link #show} and {@link #tick} replace it. Both writers hold this object's monitor so that a tick
 * rendering the old state can never land after (and undo) a concurrent {@code show}.
 */
public final class LiveResponses {
    private final Clock clock;
    /** Probes served per state name; kept across tables, reloads and state changes. */
    private final Map<String, LongAdder> served = new ConcurrentHashMap<>();
    private volatile ResponseTable current;
    /** Told after each {@link #show}, on the thread that called it (the state's one writer). */
    private final List<Runnable> onShow = new CopyOnWriteArrayList<>();

    public LiveResponses(State initial) {
        this(initial, Clock.systemUTC());
    }

    public LiveResponses(State initial, Clock clock) {
        this.clock = clock;
        this.current = render(initial);
    }

    /**
     * Serves {@code state} from now on. When this returns, every request parsed afterwards is answered with
     * it: the new table is published before the call returns.
     *
     * @throws IllegalArgumentException when the state's headers cannot be rendered; the old state stays
     */
    public synchronized void show(State state) {
        current = render(state);
        for (Runnable r : onShow) {
            r.run();
        }
    }

    /**
     * Runs {@code listener} after every {@link #show}, once the new table is published: gRPC watches learn of a
     * change from it. It must only hand work to other threads: it runs inside the state change.
     */
    public void onShow(Runnable listener) {
        onShow.add(listener);
    }

    /** Re-renders the current state when the second has changed, so that {@code Date} stays right. */
    public synchronized void tick() {
        ResponseTable table = current;
        if (clock.instant().getEpochSecond() != table.epochSecond()) {
            current = render(table.state());
        }
    }

    /** The table to answer the request just parsed; read it after parsing, never cache it. */
    public ResponseTable current() {
        return current;
    }

    public State state() {
        return current.state();
    }

    /** Probes served so far per state name, for every state shown since start. */
    public Map<String, Long> served() {
        Map<String, Long> snapshot = new LinkedHashMap<>();
        served.forEach((name, count) -> snapshot.put(name, count.sum()));
        return snapshot;
    }

    /** Called by one writer at a time (constructor, or under the monitor). */
    private ResponseTable render(State state) {
        LongAdder counter = served.get(state.name());
        if (counter == null) {
            counter = new LongAdder();
        }
        ResponseTable table = ResponseTable.render(state, clock.instant(), counter);
        // Only a state that could be rendered gets a counter.
        served.putIfAbsent(state.name(), counter);
        return table;
    }
}
