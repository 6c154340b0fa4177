package plight.cli;

/** Ends a command with a message for stderr and an exit status. */
class CliException extends Exception {
    private final ExitCode code;

    CliException(ExitCode code, String message) {
        super(message);
        this.code = code;
    }

    ExitCode code() {
        return code;
    }
}
