package plight.config;

import java.util.List;

/**
 * The names of the CLI's own commands, the one list: a state's verb may not take one of them (the config
 * check), and the CLI finds its commands among them. {@code wait} and {@code help} are kept free for commands
 * to come. The control protocol's request words ({@code list}, {@code set}, ...) are a different list, the
 * protocol's own, in {@link plight.control.Request}.
 */
public final class ReservedCommands {
    public static final List<String> NAMES =
            List.of("start", "stop", "status", "list-states", "reload", "stats", "wait", "version", "help");

    private ReservedCommands() {
    }
}
