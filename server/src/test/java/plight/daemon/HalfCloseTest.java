package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A client that ends its input, as {@code printf ... | socat - UNIX-CONNECT:...} does, still gets every answer. */
@Timeout(30)
class HalfCloseTest {
    @TempDir
    Path dir;

    @Test
    void aRequestWithoutItsNewlineIsAnsweredWithAnError() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            assertEquals("PLIGHT 1\nERR usage incomplete request: no newline before the end of input\n\n",
                    exchange(node, "status"));
        }
    }

    @Test
    void requestsBeforeTheEndOfInputAreAllAnswered() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            String out = exchange(node, "status\nversion\n");
            assertEquals(2, out.split("\nOK\n", -1).length - 1, out);
            assertEquals(true, out.contains("\nprotocol: 1\n"), out);
        }
    }

    @Test
    void aWaitIsAnsweredAfterTheEndOfInput() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            String out = exchange(node, "wait enabled timeout=1s\n");
            assertEquals("PLIGHT 1\nOK\nstate: enabled\n\n", out);
        }
    }

    /** Sends {@code request}, shuts our output, and reads until the daemon closes. */
    private static String exchange(LiveNode node, String request) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(node.config.control().socket()));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
