package plight.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Answers given per state name, for a protocol that has no counter of its own (the agent-check port). */
public final class ServedCounts {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void served(String state) {
        counts.computeIfAbsent(state, s -> new LongAdder()).increment();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new LinkedHashMap<>();
        counts.forEach((s, n) -> copy.put(s, n.sum()));
        return copy;
    }
}
