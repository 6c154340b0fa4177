package plight.config;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code [webserver] transport}: which of the daemon's I/O implementations its listeners use. {@code AUTO} lets
 * the daemon pick the fastest one this machine offers; a named one is tried first, then the next down the list.
 */
public enum TransportChoice {
    AUTO, IO_URING, EPOLL, NIO;

    /** The value as written in plight.conf: {@code auto}, {@code io_uring}, {@code epoll}, {@code nio}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The choice a plight.conf value names, ignoring case; empty for anything else. */
    public static Optional<TransportChoice> of(String value) {
        for (TransportChoice c : values()) {
            if (c.configName().equalsIgnoreCase(value.strip())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
