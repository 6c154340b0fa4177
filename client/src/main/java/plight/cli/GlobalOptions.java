package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;

/**
 * The options before the command. JCommander parses {@code -c} only to accept it: {@link Main} reads the
 * file name from the arguments itself, so that loading the configuration overlaps with parsing.
 */
@Parameters(separators = "=")
final class GlobalOptions {
    @Parameter(names = {"-c", "--config"}, description = "Configuration file (default: $PLIGHT_CONF, else /etc/plight/plight.conf, else built-in defaults)")
    String config;

    @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help")
    boolean help;
}
