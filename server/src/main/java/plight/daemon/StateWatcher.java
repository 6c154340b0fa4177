package plight.daemon;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import plight.state.NodeState;
import plight.state.StateStore;

/**
 * Re-reads the marker files once a second so that an operator's {@code touch} or {@code rm} (or a CLI writing
 * the files directly) is served within a second. Polling rather than inotify: the marker directories may not
 * exist yet, may be recreated, and a stat per state per second costs nothing.
 */
final class StateWatcher implements AutoCloseable {
    private final StateStore store;
    private final Consumer<NodeState> onChange;
    private final ScheduledExecutorService timer;
    private volatile NodeState last;

    StateWatcher(StateStore store, NodeState initial, Consumer<NodeState> onChange) {
        this.store = store;
        this.onChange = onChange;
        this.last = initial;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plight-state-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        timer.scheduleWithFixedDelay(this::poll, 1000, 1000, TimeUnit.MILLISECONDS);
    }

    /** Reads the files now; also called after a change the daemon made itself. */
    synchronized void poll() {
        try {
            NodeState now = store.read();
            if (!Objects.equals(now, last)) {
                last = now;
                onChange.accept(now);
            }
        } catch (RuntimeException e) {
            org.tinylog.Logger.error(e, "reading the state files failed");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
