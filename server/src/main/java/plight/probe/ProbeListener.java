package plight.probe;

import java.net.InetSocketAddress;
import plight.state.State;

/**
 * Told about every probe answered with a state, on the event loop that answered it. Implementations must be
 * cheap and must not block: they run once per request on the probe hot path.
 */
@FunctionalInterface
public interface ProbeListener {
    ProbeListener NONE = (remote, state) -> { };

    /**
     * @param remote the prober's address; {@code null} only for channels without an IP peer (tests)
     * @param state  the state the probe was answered with
     */
    void served(InetSocketAddress remote, State state);

    /**
     * A probe that says who sent it; called instead of {@link #served(InetSocketAddress, State)}.
     *
     * @param userAgent   its {@code User-Agent}, or {@code null}
     * @param serverState its {@code X-Haproxy-Server-State} (HAProxy's {@code http-check send-state}), or {@code null}
     */
    default void served(InetSocketAddress remote, State state, String userAgent, String serverState) {
        served(remote, state);
    }
}
