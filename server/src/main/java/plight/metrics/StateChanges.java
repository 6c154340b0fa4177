package plight.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** State changes counted by what made them, and when the last one happened; the state keeper reports, {@code /metrics} reads. */
public final class StateChanges {
    /** What made a change. */
    public enum Origin {
        /** asked for on the control socket (the CLI) */
        CLI,
        /** a TTL ran out */
        TTL,
        /** a reload renamed the state served */
        RELOAD,
        /** marker files changed by hand, or as a failed change left them */
        FILE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One series of {@code plight_state_changes_total}. */
    public record Count(String from, String to, Origin origin, long count) {
    }

    private record Key(String from, String to, Origin origin) {
    }

    private final ConcurrentHashMap<Key, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;
    private final long startMillis;
    /** -1 until the first change. */
    private volatile long lastChangeMillis = -1;

    public StateChanges() {
        this(System::currentTimeMillis);
    }

    public StateChanges(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.startMillis = clockMillis.getAsLong();
    }

    public void changed(String from, String to, Origin origin) {
        counts.computeIfAbsent(new Key(from, to, origin), k -> new LongAdder()).increment();
        lastChangeMillis = clockMillis.getAsLong();
    }

    /** When the state last changed while counting, else {@code before} if known (not negative), else when counting started. */
    public long lastChangeMillis(long before) {
        long last = lastChangeMillis;
        return last >= 0 ? last : before >= 0 ? before : startMillis;
    }

    public List<Count> counts() {
        List<Count> list = new ArrayList<>(counts.size());
        counts.forEach((k, n) -> list.add(new Count(k.from(), k.to(), k.origin(), n.sum())));
        return list;
    }
}
