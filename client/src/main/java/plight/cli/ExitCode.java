package plight.cli;

/** The CLI's exit statuses, as SPEC fixes them. */
public enum ExitCode {
    OK(0),
    /** Could not persist, the daemon refused. */
    FAILED(1),
    /** Unknown command, state or option. */
    USAGE(2),
    /** {@code stop}, {@code reload}, {@code stats} while the daemon is down. */
    NOT_RUNNING(3),
    /** sysexits' EX_CONFIG. */
    BAD_CONFIG(78);

    private final int status;

    ExitCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
