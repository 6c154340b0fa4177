package plight.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import plight.config.Config;
import plight.config.ConfigException;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.control.ControlClient;
import plight.control.Reply;
import plight.state.State;

/**
 * A {@link StateFlipper} that talks to the daemon's control socket, as the CLI does: the daemon's {@code OK}
 * is the acknowledgement, sent only after the change is durable and served. Flips between the default state
 * and the lowest-priority other state, and ends in the default state.
 */
final class SocketFlipper implements StateFlipper {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ControlClient client;
    private final String[] cycle;
    private int next;
    private boolean closed;

    private SocketFlipper(ControlClient client, String[] cycle) {
        this.client = client;
        this.cycle = cycle;
    }

    /** Connects to the daemon that {@code config} (or the usual resolution when {@code null}) describes. */
    static SocketFlipper open(Path config) throws IOException {
        Config c;
        try {
            c = new ConfigLoader(Environment.current()).load(config);
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        State dflt = c.states().defaultState();
        State other = null;
        for (State s : c.states().states()) {
            if (!s.isDefault()) {
                other = s;
                break;
            }
        }
        Optional<ControlClient> client = ControlClient.connect(c.control().socket(), TIMEOUT);
        if (client.isEmpty()) {
            throw new IOException("plight is not running: nobody listens on " + c.control().socket()
                    + " (the control socket of " + c.describeSource() + ")");
        }
        return new SocketFlipper(client.get(), new String[] {other.name(), dflt.name()});
    }

    String describe() {
        return "the control socket: set " + cycle[0] + ", then set " + cycle[1];
    }

    /** The state the cycle starts from and ends in. */
    String home() {
        return cycle[1];
    }

    @Override
    public synchronized String flip() throws IOException {
        if (closed) {
            throw new IOException("state restored, no more flips");
        }
        return step();
    }

    private String step() throws IOException {
        String state = cycle[next];
        next = (next + 1) % cycle.length;
        Reply reply = client.call("set " + state + " reason=plight-bench flip", TIMEOUT);
        if (!reply.isOk()) {
            throw new IOException("set " + state + " refused: " + reply.errorText());
        }
        return reply.get("state");
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            while (next != 0) {
                step();
            }
        } finally {
            client.close();
        }
    }
}
