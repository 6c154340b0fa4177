package plight.control;

import java.io.PrintStream;
import plight.config.Config;

/**
 * The daemon as {@code plight start} runs it. The CLI is built without the daemon (no Netty, so it starts fast);
 * the server jar provides this through {@code META-INF/services}, and {@code bin/plight start} puts it on the
 * class path.
 */
public interface DaemonLauncher {
    /** Runs until a stop signal or request; {@code false} when the daemon could not start (the reason is on {@code err}). */
    boolean runForeground(Config config, PrintStream err);
}
