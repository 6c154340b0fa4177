package plight.config;

import java.nio.file.Path;

/**
 * {@code [control]}: the Unix domain socket the CLI talks to.
 *
 * @param mode  permission bits, e.g. {@code 0660}
 * @param group group owning the socket; {@code null} keeps the daemon's own group
 */
public record ControlSettings(Path socket, int mode, String group) {
}
