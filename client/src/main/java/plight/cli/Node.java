package plight.cli;

import java.time.Duration;
import plight.state.NodeState;
import plight.state.State;

/** What the CLI changes and reads: the running daemon, or the state files when it is down. */
interface Node {
    /** Whether a daemon answers for this node. */
    boolean running();

    NodeState status() throws CliException;

    /**
     * Makes {@code target} the current state durably.
     *
     * @param reason may be {@code null}
     * @param ttl    may be {@code null}
     */
    NodeState set(State target, String reason, Duration ttl) throws CliException;
}
