package plight.probe;

import java.util.function.Consumer;
import java.util.function.LongSupplier;
import plight.log.Log;

/**
 * Connections or calls refused for a limit, reported at most once per {@link #INTERVAL_MILLIS} with how many
 * since the last report: a client that fills a limit costs one log line a minute, not one per refusal.
 */
public final class Refusals {
    static final long INTERVAL_MILLIS = ReportThrottle.INTERVAL_MILLIS;

    private final String what;
    private final ReportThrottle throttle;
    private final Consumer<String> sink;

    /** @param what the refusal, completing "refused N ...": e.g. "connections over max_connections = 100" */
    public Refusals(String what) {
        this(what, System::currentTimeMillis, line -> Log.warn(line));
    }

    Refusals(String what, LongSupplier clockMillis, Consumer<String> sink) {
        this.what = what;
        this.throttle = new ReportThrottle(clockMillis);
        this.sink = sink;
    }

    /** One more refusal. Called on an event loop; never blocks. */
    public void refused() {
        long count = throttle.event();
        if (count == 0) {
            return;
        }
        sink.accept("probe port: refused " + count + " " + what + "; this is reported at most once a minute");
    }
}
