package plight.daemon;

import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.PrintStream;
import plight.config.Config;
import plight.control.DaemonLauncher;
import plight.log.NettyLog;

/** What the CLI's {@code start} finds on the class path (META-INF/services): the daemon in the foreground. */
public final class Launcher implements DaemonLauncher {
    @Override
    public boolean runForeground(Config config, PrintStream err) {
        // Before any Netty class asks for its logger (plight.log.NettyLog says why).
        InternalLoggerFactory.setDefaultFactory(NettyLog.factory());
        return Daemon.runForeground(config, err);
    }
}
