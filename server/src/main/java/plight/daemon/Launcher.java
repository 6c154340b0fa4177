package plight.daemon;

import java.io.PrintStream;
import plight.config.Config;
import plight.control.DaemonLauncher;

/** What the CLI's {@code start} finds on the class path (META-INF/services): the daemon in the foreground. */
public final class Launcher implements DaemonLauncher {
    @Override
    public boolean runForeground(Config config, PrintStream err) {
        return Daemon.runForeground(config, err);
    }
}
