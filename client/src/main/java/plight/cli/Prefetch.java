package plight.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.control.ControlClient;
import plight.control.PidFile;

/**
 * Reads the configuration and connects to the daemon on a second thread while the main thread parses the
 * command line. Each takes tens of milliseconds in a fresh JVM (the JDK's Unix-socket set-up alone seeds a
 * SecureRandom), and a CLI run is little else, so overlapping them is most of what can be saved.
 */
final class Prefetch implements Runnable {
    private final ConfigLoader loader;
    private final Path explicit;
    private final boolean connect;
    private final boolean connectDespiteBadConfig;
    private final Thread thread;
    private Config config;
    private ConfigException configError;
    private PidFile.Probe daemon = new PidFile.Probe.Free();
    private Path socket;
    private Optional<ControlClient> client = Optional.empty();
    private IOException clientError;

    private Prefetch(ConfigLoader loader, Path explicit, boolean connect, boolean connectDespiteBadConfig) {
        this.loader = loader;
        this.explicit = explicit;
        this.connect = connect;
        this.connectDespiteBadConfig = connectDespiteBadConfig;
        this.thread = new Thread(this, "plight-prefetch");
        thread.setDaemon(true);
    }

    /**
     * @param connect                 whether the command talks to the daemon
     * @param connectDespiteBadConfig whether it does so also when the configuration does not load, at the files
     *                                it names ({@code reload}: the daemon is to refuse the file, and record that)
     */
    static Prefetch start(ConfigLoader loader, Path explicit, boolean connect, boolean connectDespiteBadConfig) {
        Prefetch p = new Prefetch(loader, explicit, connect, connectDespiteBadConfig);
        p.thread.start();
        return p;
    }

    @Override
    public void run() {
        try {
            config = loader.load(explicit);
        } catch (ConfigException e) {
            configError = e;
            if (connect && connectDespiteBadConfig) {
                loader.daemonFiles(explicit).ifPresent(files -> connect(files.pidFile(), files.socket()));
            }
            return;
        }
        socket = config.control().socket();
        if (connect) {
            connect(config.pidFile(), socket);
        }
    }

    private void connect(Path pidFile, Path configuredSocket) {
        socket = configuredSocket;
        // The running daemon's own socket, which may no longer be the configured one ([control] socket edited).
        daemon = PidFile.probe(pidFile);
        if (daemon instanceof PidFile.Probe.Held held && held.socket().isPresent()) {
            socket = held.socket().get();
        }
        try {
            client = ControlClient.connect(socket, DaemonNode.TIMEOUT);
        } catch (IOException e) {
            clientError = e;
        }
    }

    Config config() throws CliException {
        join();
        if (configError != null) throw new CliException(ExitCode.BAD_CONFIG, configError.getMessage());
        return config;
    }

    /** The daemon's control connection, or empty when no daemon listens. */
    Optional<ControlClient> client() throws IOException {
        join();
        if (clientError != null) throw clientError;
        return client;
    }

    /** What the pidfile says about a daemon (checked only for commands that talk to it). */
    PidFile.Probe daemon() {
        join();
        return daemon;
    }

    /** The control socket tried: the running daemon's, else the configured one. */
    Path socket() {
        join();
        return socket;
    }

    /** Closes a connection nobody took. */
    void discard() {
        join();
        client.ifPresent(ControlClient::close);
    }

    private void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
