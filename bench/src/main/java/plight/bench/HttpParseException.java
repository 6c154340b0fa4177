package plight.bench;

/** A response that is not well-formed HTTP/1.x. Cheap: no stack trace, parse errors are counted, not debugged. */
final class HttpParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HttpParseException(String message) {
        super(message, null, false, false);
    }
}
