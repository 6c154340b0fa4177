package plight.config;

import java.util.List;

/** {@code [agent]}: the HAProxy agent-check port; port 0 means off. */
public record AgentSettings(List<String> hosts, int port) {
    public AgentSettings {
        hosts = List.copyOf(hosts);
    }

    public boolean enabled() {
        return port != 0;
    }
}
