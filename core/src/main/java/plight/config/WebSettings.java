package plight.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** {@code [webserver]}: the probe port, its limits, its access log and the I/O transport of the daemon's ports. */
public record WebSettings(List<String> hosts, int port, String user, String group, LogSettings accessLog,
                          Duration idleTimeout, Duration requestTimeout, int maxConnections, int threads,
                          TransportChoice transport) {
    public WebSettings {
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(transport, "transport");
    }

    /** With {@code transport = auto}, the default. */
    public WebSettings(List<String> hosts, int port, String user, String group, LogSettings accessLog,
                       Duration idleTimeout, Duration requestTimeout, int maxConnections, int threads) {
        this(hosts, port, user, group, accessLog, idleTimeout, requestTimeout, maxConnections, threads, TransportChoice.AUTO);
    }
}
