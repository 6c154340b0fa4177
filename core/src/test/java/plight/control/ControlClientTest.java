package plight.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the client tells "no daemon" from "a daemon" from "something else" — by what happens, not by words. */
class ControlClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void noSocketFileIsNoDaemon() throws IOException {
        assertEquals(Optional.empty(), ControlClient.connect(dir.resolve("control.sock"), TIMEOUT));
    }

    @Test
    void aSocketFileNobodyListensOnIsNoDaemon() throws IOException {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel left = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            left.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "closing a listener leaves its file behind, as a crash does");
        assertEquals(Optional.empty(), ControlClient.connect(socket, TIMEOUT));
    }

    @Test
    void aDaemonThatClosesBeforeItsGreetingIsStopping() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel server = listen(socket)) {
            Thread peer = answer(server, null);
            assertEquals(Optional.empty(), ControlClient.connect(socket, TIMEOUT));
            peer.join();
        }
    }

    @Test
    void somethingThatDoesNotGreetAsPlightIsAnError() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel server = listen(socket)) {
            Thread peer = answer(server, "SSH-2.0-OpenSSH_9.2\n");
            IOException e = assertThrows(IOException.class, () -> ControlClient.connect(socket, TIMEOUT));
            assertEquals(socket + " does not speak the plight control protocol 1 (it said 'SSH-2.0-OpenSSH_9.2')", e.getMessage());
            peer.join();
        }
    }

    @Test
    void theGreetingOpensTheConversation() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel server = listen(socket)) {
            Thread peer = answer(server, Protocol.GREETING + "\nOK\nstate: enabled\n\n");
            try (ControlClient client = ControlClient.connect(socket, TIMEOUT).orElseThrow()) {
                Reply r = client.call("status", TIMEOUT);
                assertEquals("enabled", r.get("state"));
            }
            peer.join();
        }
    }

    private static ServerSocketChannel listen(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return server;
    }

    /** Accepts one connection, writes {@code text} (if any), reads until the client closes, closes. */
    private static Thread answer(ServerSocketChannel server, String text) {
        Thread t = new Thread(() -> {
            try (SocketChannel c = server.accept()) {
                if (text == null) return;
                c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ByteBuffer sink = ByteBuffer.allocate(1024);
                while (c.read(sink) >= 0) {
                    sink.clear();
                }
            } catch (IOException ignored) {
                // the client went away: the test decides from its own side
            }
        });
        t.start();
        return t;
    }
}
