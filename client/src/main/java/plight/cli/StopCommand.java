package plight.cli;

import java.time.Duration;

/** {@code stop}: asks the daemon to stop and waits for its process to end. */
final class StopCommand extends Command {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** How long to wait for a daemon whose socket is gone to exit, before calling the socket missing. */
    private static final Duration STOPPING_GRACE = Duration.ofSeconds(1);

    @Override
    ExitCode run(Invocation in) throws CliException {
        long withoutSocket = in.daemonWithoutSocket();
        if (withoutSocket > 0 && DaemonProcess.awaitExit(withoutSocket, STOPPING_GRACE)) {
            // A stopping daemon removes its socket a moment before it exits.
            in.err().println("plight: plight was already stopping; it has stopped");
            return ExitCode.OK;
        }
        Node node = in.node(Invocation.Reach.DAEMON);
        long pid;
        boolean alreadyStopping = false;
        try {
            pid = node.stop();
        } catch (Stopping s) {
            if (s.pid() < 0) {
                throw new CliException(ExitCode.FAILED, s.getMessage() + "; without its pidfile, whether it has exited cannot be told");
            }
            pid = s.pid();
            alreadyStopping = true;
        }
        if (pid > 0 && !DaemonProcess.awaitExit(pid, STOP_TIMEOUT)) {
            throw new CliException(ExitCode.FAILED, "plight (pid " + pid + ") did not exit within " + STOP_TIMEOUT.toSeconds() + "s");
        }
        if (alreadyStopping) in.err().println("plight: plight was already stopping; it has stopped");
        return ExitCode.OK;
    }
}
