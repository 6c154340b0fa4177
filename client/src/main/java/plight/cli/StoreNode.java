package plight.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import plight.control.Caller;
import plight.control.Reply;
import plight.state.Marker;
import plight.state.State;
import plight.state.StateStore;
import plight.state.StoreException;

/**
 * The node through its state files: the CLI reads and writes them itself. Used while no daemon runs (the daemon
 * serves the files' state when it starts), and by a daemon that watches the files.
 */
record StoreNode(StateStore store, Caller caller, boolean running) implements Node {

    @Override
    public StatusView status() throws CliException {
        try {
            return StatusView.of(store.read());
        } catch (StoreException e) {
            // "Cannot look" is never "no marker": showing the default state here would be a guess.
            throw new CliException(ExitCode.FAILED, "cannot tell the state from the files: " + e.getMessage());
        }
    }

    @Override
    public Changed set(State target, String reason, Duration ttl) throws CliException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Marker marker = new Marker(now, caller.describe(), reason, ttl == null ? null : now.plus(ttl));
        try {
            StateStore.Change change = store.change(target, marker);
            return new Changed(StatusView.of(change.after()), change.warnings());
        } catch (StoreException e) {
            throw new CliException(ExitCode.FAILED, "cannot change the state to '" + target.name() + "': " + e.getMessage()
                    + e.served().map(s -> "; the node is in '" + s.state().name() + "'").orElse(""));
        }
    }

    @Override
    public Reply call(String request, Duration timeout) throws CliException {
        throw new CliException(ExitCode.NOT_RUNNING, "plight is not running");
    }

    @Override
    public Reply ask(String request, Duration timeout) throws CliException {
        throw new CliException(ExitCode.NOT_RUNNING, "plight is not running");
    }

    @Override
    public long stop() throws CliException {
        throw new CliException(ExitCode.NOT_RUNNING, "plight is not running");
    }
}
