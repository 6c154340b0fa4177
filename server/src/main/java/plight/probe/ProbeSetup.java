package plight.probe;

import java.time.Duration;

/** What every probe connection shares: where answers come from, who is told, and the time limits. */
record ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                  long requestTimeoutNanos, long idleTimeoutNanos) {

    ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
               Duration requestTimeout, Duration idleTimeout) {
        this(responses, listener, accessLog, positive(requestTimeout), positive(idleTimeout));
    }

    private static long positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + d);
        }
        return d.toNanos();
    }
}
