package plight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.config.Environment;

/** {@code start} with only the CLI's jars on the class path, as the client module's tests have it. */
class StartCommandTest {
    @TempDir
    Path dir;

    @Test
    void startWithoutTheServerJarSaysSoAndExitsOne() throws Exception {
        Path conf = Files.writeString(dir.resolve("plight.conf"), String.join("\n",
                "[priorities]", "states = enabled,disabled",
                "[enabled]", "code = 200", "message = OK",
                "[disabled]", "file = " + dir.resolve("node_disabled"), "code = 404", "message = node is unavailable", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new Main(new Environment(Map.of("XDG_RUNTIME_DIR", dir.toString()), 1000), o, e)
                    .run(new String[] {"-c", conf.toString(), "start"});
        }
        assertEquals(ExitCode.FAILED, code);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("plight: the daemon is not on the class path (lib/plight-server-*.jar); run bin/plight start\n",
                err.toString(StandardCharsets.UTF_8));
    }
}
