package plight.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line decoded as UTF-8. The JVM decodes its arguments with the locale's codeset; where that is
 * ASCII (the C locale, or a locale the machine lacks, as an ssh client's {@code LANG} often is) each byte of
 * a non-ASCII character becomes U+FFFD, and a {@code --reason} would be stored so. The bytes as given are
 * still in {@code /proc/self/cmdline}.
 */
final class Argv {
    private Argv() {
    }

    static String[] utf8(String[] args) {
        if (args.length == 0 || !isAscii(System.getProperty("sun.jnu.encoding"))) return args;
        try {
            return fromCmdline(Files.readAllBytes(Path.of("/proc/self/cmdline")), args);
        } catch (IOException | RuntimeException e) {
            return args;
        }
    }

    /**
     * The last {@code args.length} NUL-terminated strings of {@code cmdline}, decoded as UTF-8; {@code args}
     * itself when they do not line up with it (an ASCII decoder gives one char per byte) or are not UTF-8.
     */
    static String[] fromCmdline(byte[] cmdline, String[] args) {
        List<byte[]> all = new ArrayList<>();
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        for (byte b : cmdline) {
            if (b == 0) {
                all.add(one.toByteArray());
                one.reset();
            } else {
                one.write(b);
            }
        }
        if (all.size() < args.length) return args;
        List<byte[]> ours = all.subList(all.size() - args.length, all.size());
        String[] decoded = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            byte[] raw = ours.get(i);
            if (raw.length != args[i].length()) return args;
            try {
                decoded[i] = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException notUtf8) {
                return args;
            }
        }
        return decoded;
    }

    private static boolean isAscii(String encoding) {
        try {
            return encoding != null && Charset.forName(encoding).equals(StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }
}
