package plight.bench;

import java.util.Locale;

/** Why a request got no answer. Status codes, whatever they are, are answers and never errors. */
enum ErrorKind {
    /** The connection could not be opened (refused, unreachable, connect timeout). */
    CONNECT,
    /** An I/O error on an open connection, typically a reset. */
    RESET,
    /** The server closed the connection before answering. */
    CLOSED,
    /** No complete answer within --timeout. */
    TIMEOUT,
    /** The answer was not well-formed HTTP/1.x (h2: HTTP/2; grpc: no grpc-status, or not a HealthCheckResponse). */
    PARSE;

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
