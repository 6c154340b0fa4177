package plight.probe;

import java.time.Duration;

/**
 * What every probe connection shares: where answers come from, who is told, the time limits, error counts,
 * the queues of connections waiting for a turn.
 * {@code acceptDeferralNanos}: how long a connection that has sent nothing may have waited in the kernel before
 * it was accepted ({@link Transport#acceptDeferral}); it counts towards its request timeout.
 * {@code http2}: where connections that speak HTTP/2 go; {@code null} when the port speaks HTTP/1 only.
 */
record ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
                  long requestTimeoutNanos, long idleTimeoutNanos, ProbeErrors errors, long acceptDeferralNanos,
                  Rejections rejections, Turns turns, Http2Switch http2) {

    ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
               Duration requestTimeout, Duration idleTimeout, ProbeErrors errors, Duration acceptDeferral) {
        this(responses, listener, accessLog, requestTimeout, idleTimeout, errors, acceptDeferral, new Rejections());
    }

    ProbeSetup(LiveResponses responses, ProbeListener listener, AccessLog accessLog,
               Duration requestTimeout, Duration idleTimeout, ProbeErrors errors, Duration acceptDeferral,
               Rejections rejections) {
        this(responses, listener, accessLog, positive(requestTimeout), positive(idleTimeout), errors,
                acceptDeferral.toNanos(), rejections, new Turns(), null);
    }

    ProbeSetup withHttp2(Http2Switch http2) {
        return new ProbeSetup(responses, listener, accessLog, requestTimeoutNanos, idleTimeoutNanos, errors,
                acceptDeferralNanos, rejections, turns, http2);
    }

    private static long positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + d);
        }
        return d.toNanos();
    }
}
