package plight.probe;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

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

}
