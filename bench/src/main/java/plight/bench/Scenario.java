package plight.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The load shapes plight-bench can generate. */
enum Scenario {
    KEEPALIVE("N persistent connections, closed loop: each sends its next request when the previous answer is in"),
    CLOSE("a new connection per request (Connection: close), as HAProxy, F5 and Kubernetes probe; N concurrent"),
    PIPELINE("N persistent connections with --pipeline requests in flight on each"),
    FLEET("N simulated load balancers on AsyncHttpClient, each checking at --rate checks/s on its own schedule"
            + " (--jitter), with a new connection per check or keeping it (--reuse, --reuse-share); latency counts"
            + " from the scheduled time (no coordinated omission)"),
    FLIP("keep-alive load while the state is flipped through the control socket of the daemon of -c (or with --flip-command); counts stale responses (must be 0)"),
    H2("cleartext HTTP/2 GETs by prior knowledge: N connections with --streams streams in flight on each, or a new"
            + " connection per check (--new-connection), N concurrent"),
    GRPC("gRPC grpc.health.v1.Health/Check calls (service --service) over cleartext HTTP/2, loaded as h2; answers"
            + " are verified (grpc-status, HealthCheckResponse) and counted by grpc-status and serving status");

    /** The scenarios on HTTP/2: {@code --streams} and {@code --new-connection} apply. */
    boolean http2() {
        return this == H2 || this == GRPC;
    }

    final String description;

    Scenario(String description) {
        this.description = description;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Scenario parse(String s) throws UsageException {
        for (Scenario sc : values()) {
            if (sc.id().equals(s)) {
                return sc;
            }
        }
        throw new UsageException("unknown scenario '" + s + "'; valid: " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "));
    }
}
