package plight.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandFlipperTest {

    @Test
    void cyclesThroughItsStepsAndReturnsTheAcknowledgedState(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        CommandFlipper f = new CommandFlipper(List.of(
                CommandFlipper.Step.parse("disabled=echo disable >> '" + log + "'"),
                CommandFlipper.Step.parse("enabled=echo enable >> '" + log + "'")));
        assertEquals("disabled", f.flip());
        assertEquals("enabled", f.flip());
        assertEquals("disabled", f.flip());
        assertEquals(List.of("disable", "enable", "disable"), Files.readAllLines(log));
        f.close(); // completes the cycle: the node ends enabled
        assertEquals(List.of("disable", "enable", "disable", "enable"), Files.readAllLines(log));
        f.close(); // nothing left to do
        assertEquals(4, Files.readAllLines(log).size());
        assertThrows(IOException.class, f::flip, "no flips after the state was restored");
        assertEquals(4, Files.readAllLines(log).size());
    }

    @Test
    void aFailingCommandIsNotAnAcknowledgement() {
        CommandFlipper f = new CommandFlipper(List.of(CommandFlipper.Step.parse("disabled=echo nope >&2; exit 3")));
        IOException e = assertThrows(IOException.class, f::flip);
        assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void aMissingProgramIsReported() {
        CommandFlipper f = new CommandFlipper(List.of(new CommandFlipper.Step("disabled",
                List.of("/nonexistent/plight", "disable"))));
        IOException e = assertThrows(IOException.class, f::flip);
        assertTrue(e.getMessage().contains("cannot run '/nonexistent/plight disable'"), e.getMessage());
    }

    @Test
    void stepSyntax() {
        assertEquals(List.of("/bin/sh", "-c", "plight disable --reason a=b"),
                CommandFlipper.Step.parse("disabled=plight disable --reason a=b").command());
        for (String bad : List.of("disabled", "=cmd", "disabled=", "two words=cmd")) {
            assertThrows(IllegalArgumentException.class, () -> CommandFlipper.Step.parse(bad), bad);
        }
    }
}
