package plight.probe;

import java.time.Duration;

/** What every probe connection shares: where answers come from, who is told, and the time limits. */
record ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                  long requestTimeoutNanos, long idleTimeoutNanos, Rejections rejections) {

    ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
               Duration requestTimeout, Duration idleTimeout) {
        this(responses, listener, accessLog, requestTimeout, idleTimeout, new Rejections());
    }

    ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
               Duration requestTimeout, Duration idleTimeout, Rejections rejections) {
        this(responses, listener, accessLog, positive(requestTimeout), positive(idleTimeout), rejections);
    }

    private static long positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + d);
        }
        return d.toNanos();
    }
}
