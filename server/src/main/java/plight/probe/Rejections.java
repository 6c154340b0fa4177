package plight.probe;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests and connections the probe port refused, by reason: the failure's status code, or
 * {@code max_connections} for a connection closed at once. Counted where the refusal happens; read by
 * {@code /metrics}.
 */
public final class Rejections {
    public static final String OVER_MAX_CONNECTIONS = "max_connections";

    private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);
    private final LongAdder overMax = new LongAdder();

    public Rejections() {
        for (Failure f : Failure.values()) failures.put(f, new LongAdder());
    }

    void failed(Failure failure) {
        failures.get(failure).increment();
    }

    void overMaxConnections() {
        overMax.increment();
    }

    /** Every reason with its count so far, zeros included, so that a series exists before its first event. */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        failures.forEach((f, n) -> counts.put(Integer.toString(f.code), n.sum()));
        counts.put(OVER_MAX_CONNECTIONS, overMax.sum());
        return counts;
    }
}
