package plight.config;

import java.nio.file.Path;
import java.util.List;
import plight.state.StateTable;

/**
 * A validated plight.conf.
 *
 * @param source   the file it was read from; {@code null} for the built-in defaults
 * @param warnings things worth logging that did not stop the load (e.g. unknown sections)
 */
public record Config(Path source, WebSettings web, LogSettings appLog, ControlSettings control,
                     AgentSettings agent, MetricsSettings metrics, GrpcSettings grpc, Path pidFile, StateTable states, List<String> warnings) {
    public Config {
        warnings = List.copyOf(warnings);
    }

    /** How error messages and the logs name this configuration. */
    public String describeSource() {
        return source == null ? "built-in defaults" : source.toString();
    }
}
