package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import plight.control.LbView;
import plight.state.State;

/**
 * For the fuzz targets: what a probe carries about its prober goes on as text, and must parse or be ignored
 * without harm; the state served is the one the target set.
 */
final class CheckingListener implements ProbeListener {
    private final boolean userAgentAlways;

    /** @param userAgentAlways whether every probe hands over a user agent (HTTP/2 and gRPC do, as text or empty) */
    CheckingListener(boolean userAgentAlways) {
        this.userAgentAlways = userAgentAlways;
    }

    @Override
    public void served(InetSocketAddress remote, State state) {
        assertEquals(TestStates.ENABLED, state);
    }

    @Override
    public void served(InetSocketAddress remote, State state, String userAgent, String serverState) {
        served(remote, state);
        assertTrue(userAgentAlways ? userAgent != null : userAgent != null || serverState != null);
        LbView.parse(serverState);
    }
}
