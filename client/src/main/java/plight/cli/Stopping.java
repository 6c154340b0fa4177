package plight.cli;

/**
 * The daemon is stopping: it answered {@code ERR stopping}, or closed the connection without answering. Exit
 * status 3 (not running) unless the command says otherwise.
 */
final class Stopping extends CliException {
    private final long pid;
    private final boolean answered;

    /**
     * @param pid      the daemon's pid, -1 when unknown
     * @param answered whether the daemon said so ({@code ERR stopping}: it did nothing), rather than closing the
     *                 connection without a word (what it did is unknown)
     */
    Stopping(long pid, boolean answered) {
        super(ExitCode.NOT_RUNNING, answered ? "plight is stopping" : "plight closed the control connection without answering (it is stopping)");
        this.pid = pid;
        this.answered = answered;
    }

    long pid() {
        return pid;
    }

    boolean answered() {
        return answered;
    }
}
