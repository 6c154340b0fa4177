package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.UnixText;

/** A client that ends its input, as {@code printf ... | socat - UNIX-CONNECT:...} does, still gets every answer. */
@Timeout(30)
class HalfCloseTest {
    @TempDir
    Path dir;

    @Test
    void aRequestWithoutItsNewlineIsAnsweredWithAnError() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            assertEquals("PLIGHT 1\nERR usage incomplete request: no newline before the end of input\n\n",
                    UnixText.exchange(node.socket(), "status"));
        }
    }

    @Test
    void requestsBeforeTheEndOfInputAreAllAnswered() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            String out = UnixText.exchange(node.socket(), "status\nversion\n");
            assertEquals(2, out.split("\nOK\n", -1).length - 1, out);
            assertEquals(true, out.contains("\nprotocol: 1\n"), out);
        }
    }

    @Test
    void aWaitIsAnsweredAfterTheEndOfInput() throws Exception {
        try (LiveNode node = LiveNode.start(dir)) {
            String out = UnixText.exchange(node.socket(), "wait enabled timeout=1s\n");
            assertEquals("PLIGHT 1\nOK\nstate: enabled\n\n", out);
        }
    }
}
