package plight.state;

/** A state change that could not be made durable; the message carries the operating system's reason. */
public final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
