package plight.config;

import java.time.Duration;
import java.util.List;

/** {@code [webserver]}: the probe port, its limits and its access log. */
public record WebSettings(List<String> hosts, int port, String user, String group, LogSettings accessLog,
                          Duration idleTimeout, Duration requestTimeout, int maxConnections, int threads) {
    public WebSettings {
        hosts = List.copyOf(hosts);
    }
}
