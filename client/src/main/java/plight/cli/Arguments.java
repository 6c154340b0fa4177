package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.nio.file.Path;

/** JCommander's targets: one class per option set. */
final class Arguments {
    private Arguments() {
    }

    @Parameters(separators = "=")
    static final class Global {
        @Parameter(names = {"-c", "--config"}, description = "Configuration file (default: $PLIGHT_CONF, else /etc/plight/plight.conf, else built-in defaults)")
        String config;

        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
        boolean help;

        Path configPath() {
            return config == null ? null : Path.of(config);
        }
    }

    @Parameters(commandDescription = "Show the current state")
    static final class Status {
        @Parameter(names = "--json", description = "Print one JSON object")
        boolean json;

        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
        boolean help;
    }

    @Parameters(separators = "=", commandDescription = "Probes served, connections, probe sources")
    static final class Stats {
        @Parameter(names = "--json", description = "Print one JSON object")
        boolean json;

        @Parameter(names = "--format", description = "text (the default), json, or prometheus (the text format of /metrics, for node_exporter's textfile collector)")
        String format = "text";

        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
        boolean help;
    }

    @Parameters(separators = "=")
    static final class Verb {
        @Parameter(names = "--reason", description = "Why; recorded in the marker file and the audit log")
        String reason;

        @Parameter(names = "--ttl", description = "Return to the default state after this long (e.g. 30m, 2h); survives restarts")
        String ttl;

        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
        boolean help;
    }

    /** Commands without options of their own. */
    static final class Plain {
        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
        boolean help;
    }
}
