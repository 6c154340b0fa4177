package plight.probe;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Receives one call per answered request (probes and errors alike), on the event loop that answered it.
 * Implementations must not block; the daemon hands the line to a writing thread. {@link #OFF} is recognised
 * by the probe handler, which then skips the call entirely.
 */
@FunctionalInterface
public interface AccessLog {
    AccessLog OFF = (remote, buf, lineIndex, lineLength, status, bytes) -> { };

    /**
     * @param remote     the client's address; {@code null} only for channels without an IP peer (tests)
     * @param buf        holds the request line at {@code lineIndex}; valid only during the call, copy what you keep
     * @param lineLength length of the request line without its line ending; 0 when none was received in full
     * @param status     HTTP status code sent
     * @param bytes      response size in bytes
     */
    void log(InetSocketAddress remote, ByteBuf buf, int lineIndex, int lineLength, int status, int bytes);

    /** The original's line, {@code %s - - [%s] "%s" %s %s}: address, local time, request line, code, size. */
    static String commonLogLine(InetSocketAddress remote, String requestLine, int status, int bytes,
                                ZonedDateTime time) {
        String address = remote == null ? "-" : Addresses.of(remote.getAddress());
        return address + " - - [" + CLF_TIME.format(time) + "] \"" + requestLine + "\" " + status + " " + bytes;
    }

    /** Python's {@code BaseHTTPRequestHandler.log_date_time_string}, which the original used. */
    DateTimeFormatter CLF_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy HH:mm:ss", Locale.US);
}
