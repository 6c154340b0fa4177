package plight.config;

import java.util.List;

/** {@code [metrics]}: the Prometheus scrape port; port 0 means off. Loopback by default: metrics name the LBs. */
public record MetricsSettings(List<String> hosts, int port) {
    public MetricsSettings {
        hosts = List.copyOf(hosts);
    }

    public boolean enabled() {
        return port != 0;
    }
}
