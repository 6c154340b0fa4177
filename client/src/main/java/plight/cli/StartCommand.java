package plight.cli;

import java.util.ServiceLoader;
import plight.control.DaemonLauncher;

/** {@code start}: the daemon in the foreground. It comes with the server jar, which {@code bin/plight start} puts on the class path. */
final class StartCommand extends Command {
    @Override
    ExitCode run(Invocation in) throws CliException {
        DaemonLauncher daemon = ServiceLoader.load(DaemonLauncher.class).findFirst().orElseThrow(() ->
                new CliException(ExitCode.FAILED, "the daemon is not on the class path (lib/plight-server-*.jar); run bin/plight start"));
        return daemon.runForeground(in.config(), in.err()) ? ExitCode.OK : ExitCode.FAILED;
    }
}
