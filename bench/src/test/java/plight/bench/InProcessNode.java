package plight.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.daemon.Daemon;
import plight.daemon.Timings;
import plight.probe.AccessLog;
import plight.state.StoreException;
import plight.testkit.Confs;
import plight.testkit.Ports;

/** The real daemon assembly in this JVM, on {@link Confs#NODE} in a test directory, probe port ephemeral. */
final class InProcessNode implements AutoCloseable {
    final Path conf;
    final Config config;
    final Daemon daemon;

    private InProcessNode(Path conf, Config config, Daemon daemon) {
        this.conf = conf;
        this.config = config;
        this.daemon = daemon;
    }

    static InProcessNode start(Path dir) throws IOException, ConfigException, StoreException {
        for (String sub : new String[] {"log", "run", "state"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        Path conf = Confs.write(dir.resolve("plight.conf"), Confs.fill(Confs.NODE, Map.of("PORT", "0",
                "ACCESS", "OFF", "MODE", "0600", "DIR", dir.toString(), "AGENT", Integer.toString(Ports.free()))));
        Config config = new ConfigLoader(Environment.current()).loadFile(conf);
        return new InProcessNode(conf, config, Daemon.start(config, Timings.DEFAULT, AccessLog.OFF, () -> { }));
    }

    int port() {
        return daemon.probe().boundAddresses().get(0).getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/health";
    }

    @Override
    public void close() {
        daemon.close();
    }
}
