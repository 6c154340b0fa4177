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
}
