package plight.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The curl tool as a real HTTP/2 (and HTTP/1.1 upgrade) client. */
public final class Curl {
    private Curl() {
    }

    /** {@code curl -sS -i --max-time 10 OPTIONS URL}: the response with its head (and any error); fails unless curl exits 0. */
    public static String response(String url, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "10"));
        command.addAll(List.of(options));
        command.add(url);
        Processes.Result r = Processes.run(new ProcessBuilder(command).redirectErrorStream(true), Duration.ofSeconds(30));
        if (r.exit() != 0) {
            throw new AssertionError(command + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    /** Fails unless each of {@code lines} (e.g. {@code "server: plight"}) is a whole header line of {@code response}. */
    public static void assertHeaderLines(String response, String... lines) {
        for (String line : lines) {
            if (!response.contains("\r\n" + line + "\r\n")) {
                throw new AssertionError("no line '" + line + "' in:\n" + response);
            }
        }
    }
}
