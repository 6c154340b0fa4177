package plight.bench;

/** Bad command-line usage: the message names the option and what is valid. Exit status 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
