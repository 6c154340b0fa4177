package plight.probe;

/** The answers to requests that are not probes. Every one of them closes the connection. */
enum Failure {
    BAD_REQUEST(400, "Bad Request"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed", "Allow: GET, HEAD, OPTIONS"),
    REQUEST_TIMEOUT(408, "Request Timeout"),
    URI_TOO_LONG(414, "URI Too Long"),
    HEADERS_TOO_LARGE(431, "Request Header Fields Too Large"),
    VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported");

    final int code;
    final String reason;
    /** A header line this status needs (without line ending), or {@code null}. */
    final String extraHeader;

    Failure(int code, String reason) {
        this(code, reason, null);
    }

    Failure(int code, String reason, String extraHeader) {
        this.code = code;
        this.reason = reason;
        this.extraHeader = extraHeader;
    }
}
