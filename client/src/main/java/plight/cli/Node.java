package plight.cli;

import java.time.Duration;
import java.util.List;
import plight.control.Reply;
import plight.state.State;

/** What the CLI changes and reads: the running daemon, or the state files when it is down. */
interface Node {
    /** Whether a daemon answers for this node. */
    boolean running();

    StatusView status() throws CliException;

    /**
     * Makes {@code target} the current state durably.
     *
     * @param reason may be {@code null}
     * @param ttl    may be {@code null}
     * @return the state served afterwards, and what was left behind without changing that
     */
    Changed set(State target, String reason, Duration ttl) throws CliException;

    /** A change made: the state served afterwards, and warnings about leftovers that did not change it. */
    record Changed(StatusView node, List<String> warnings) {
        public Changed {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Sends a request only the daemon can answer ({@code stats}, {@code reload}, {@code stop}).
     *
     * @throws CliException with {@link ExitCode#NOT_RUNNING} when no daemon runs
     */
    Reply ask(String request, Duration timeout) throws CliException;

    /**
     * Sends a request whose error replies carry fields the caller reads ({@code wait}): the reply as it came,
     * unless the daemon is stopping or gone.
     *
     * @throws CliException with {@link ExitCode#NOT_RUNNING} when no daemon runs
     */
    Reply call(String request, Duration timeout) throws CliException;

    /**
     * Asks the daemon to stop; returns its pid (from the reply, else its pidfile; -1 if neither) to wait on.
     *
     * @throws CliException with {@link ExitCode#NOT_RUNNING} when no daemon runs
     */
    long stop() throws CliException;
}
