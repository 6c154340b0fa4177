package plight.probe;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import plight.log.Log;

/**
 * Counts the probe connections closed because of an error other than the network's, and reports each kind
 * (the exception's class) at most once per {@link #INTERVAL_MILLIS}, with how many happened since the last
 * report. A flood of failing connections costs one log line a minute, not a line (or a stack trace) each.
 * Allocation failures get no stack trace: the allocator's frames say nothing about who used the memory.
 */
public final class ProbeErrors {
    static final long INTERVAL_MILLIS = ReportThrottle.INTERVAL_MILLIS;

    /** Where reports go; the daemon's is the application log. */
    @FunctionalInterface
    public interface Sink {
        /** @param trace the error whose stack trace to show, or {@code null} for none */
        void report(String message, Throwable trace);
    }

    /** Allocation failures as a warning, anything else (a bug) as an error with its stack trace; JSON with {@code [logging] format = json}. */
    public static final Sink LOG = (message, trace) -> {
        if (trace == null) {
            Log.warn(message);
        } else {
            Log.error(trace, message);
        }
    };

    private final Sink sink;
    private final LongSupplier clockMillis;
    private final Map<Class<?>, Kind> kinds = new ConcurrentHashMap<>();

    public ProbeErrors(Sink sink) {
        this(sink, System::currentTimeMillis);
    }

    ProbeErrors(Sink sink, LongSupplier clockMillis) {
        this.sink = sink;
        this.clockMillis = clockMillis;
    }

    /** One connection was closed because of {@code cause}. Called on an event loop; never blocks for long. */
    void closed(Throwable cause) {
        Kind kind = kinds.computeIfAbsent(cause.getClass(), c -> new Kind(clockMillis));
        kind.total.incrementAndGet();
        long count = kind.throttle.event();
        if (count == 0) {
            return;
        }
        boolean allocation = cause instanceof OutOfMemoryError;
        String what = allocation ? "out of memory for its buffers" : "an unexpected error";
        sink.report("probe port: closed " + count + (count == 1 ? " connection" : " connections")
                + " after " + what + " (" + cause + "); this is reported at most once a minute",
                allocation ? null : cause);
    }

    /** Connections closed so far per kind of error (the exception's class name), for stats and tests. */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new TreeMap<>();
        kinds.forEach((type, kind) -> counts.put(type.getName(), kind.total.get()));
        return counts;
    }

    private static final class Kind {
        final AtomicLong total = new AtomicLong();
        final ReportThrottle throttle;

        Kind(LongSupplier clockMillis) {
            throttle = new ReportThrottle(clockMillis);
        }
    }
}
