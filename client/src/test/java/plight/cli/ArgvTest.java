package plight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Arguments re-read as UTF-8 from the bytes the process was given, when the JVM decoded them as ASCII. */
class ArgvTest {
    private static byte[] cmdline(byte[]... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] w : words) {
            out.writeBytes(w);
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What an ASCII decoder makes of {@code s}: one U+FFFD per byte outside ASCII. */
    private static String asAscii(String s) {
        return new String(utf8(s), StandardCharsets.US_ASCII);
    }

    @Test
    void theLastArgumentsOfTheCommandLineAreDecodedAsUtf8() {
        byte[] cmd = cmdline(utf8("java"), utf8("-Dx=é"), utf8("plight.cli.Main"), utf8("disable"), utf8("--reason"), utf8("café ☕"));
        String[] jvm = {"disable", "--reason", asAscii("café ☕")};
        assertArrayEquals(new String[] {"disable", "--reason", "café ☕"}, Argv.fromCmdline(cmd, jvm));
    }

    @Test
    void bytesThatAreNotUtf8KeepTheJvmsDecoding() {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
        String[] jvm = {"--reason", new String(latin1, StandardCharsets.US_ASCII)};
        assertSame(jvm, Argv.fromCmdline(cmdline(utf8("java"), utf8("--reason"), latin1), jvm));
    }

    @Test
    void aCommandLineThatDoesNotLineUpIsLeftAlone() {
        String[] jvm = {"status", asAscii("é")};
        assertSame(jvm, Argv.fromCmdline(cmdline(utf8("status"), utf8("éé")), jvm), "lengths differ");
        assertSame(jvm, Argv.fromCmdline(cmdline(utf8("é")), jvm), "fewer words than arguments");
    }
}
