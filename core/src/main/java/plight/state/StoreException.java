package plight.state;

import java.util.Optional;

/**
 * The state on disk could not be changed as asked, or could not be told; the message carries the operating
 * system's reason.
 */
public final class StoreException extends Exception {
    private final transient NodeState served;

    public StoreException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param served the state the files give afterwards, or {@code null} when it cannot be told */
    public StoreException(String message, Throwable cause, NodeState served) {
        super(message, cause);
        this.served = served;
    }

    /** What the marker files say now, when that could be read after the failure. */
    public Optional<NodeState> served() {
        return Optional.ofNullable(served);
    }
}
