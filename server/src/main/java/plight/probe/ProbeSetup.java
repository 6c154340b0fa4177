package plight.probe;

import java.time.Duration;

/** What every probe connection shares: where answers come from, who is told, the time limits, error counts. */
record ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                  long requestTimeoutNanos, long idleTimeoutNanos, ProbeErrors errors) {

    ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
               Duration requestTimeout, Duration idleTimeout, ProbeErrors errors) {
        this(responses, listener, accessLog, positive(requestTimeout), positive(idleTimeout), errors);
    }

    private static long positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + d);
        }
        return d.toNanos();
    }
}
