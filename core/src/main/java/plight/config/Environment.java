package plight.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What config resolution and the built-in defaults depend on outside the file: environment variables and
 * whether we run as root. A value, so that tests can describe another user without changing the process.
 */
public record Environment(Map<String, String> variables, long uid) {
    public static Environment current() {
        return new Environment(System.getenv(), currentUid());
    }

    public boolean isRoot() {
        return uid == 0;
    }

    public String get(String name) {
        String v = variables.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** {@code ${XDG_STATE_HOME:-$HOME/.local/state}/plight}: state files and logs of a plain user. */
    public Path userStateDir() {
        String xdg = get("XDG_STATE_HOME");
        Path base = xdg != null ? Path.of(xdg) : Path.of(home(), ".local", "state");
        return base.resolve("plight");
    }

    /** {@code ${XDG_RUNTIME_DIR}/plight}, else {@code /tmp/plight-$UID}: socket and pidfile of a plain user. */
    public Path userRuntimeDir() {
        String xdg = get("XDG_RUNTIME_DIR");
        return xdg != null ? Path.of(xdg, "plight") : Path.of("/tmp", "plight-" + uid);
    }

    /**
     * The first directory of a systemd directory variable ({@code RUNTIME_DIRECTORY}, {@code STATE_DIRECTORY},
     * {@code LOGS_DIRECTORY}; colon-separated when a unit names several), set by systemd for a unit's
     * {@code RuntimeDirectory=} and friends and by the init script alike.
     */
    public Optional<Path> serviceDirectory(String variable) {
        String v = get(variable);
        if (v == null) return Optional.empty();
        String first = v.split(":", 2)[0];
        return first.startsWith("/") ? Optional.of(Path.of(first)) : Optional.empty();
    }

    private String home() {
        String h = get("HOME");
        return h != null ? h : System.getProperty("user.home");
    }

    private static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : -1;
        }
    }
}
