package plight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import plight.config.ConfigLoader;
import plight.config.Environment;
import plight.testkit.Confs;
import plight.testkit.JsonReader;
import plight.testkit.Processes;

/**
 * The CLI against a daemon that is stopping, as it meets one: on a real Unix socket, a daemon that answers
 * {@code ERR stopping} with its pid, or reads the request and closes the connection without a word, or closes
 * before its greeting. Every command ends with a clear line and its exit status, never a raw I/O error.
 */
@Timeout(60)
class DaemonGoingAwayTest {
    @TempDir
    Path dir;

    private Path conf;
    private Environment env;
    private Path socket;
    private ServerSocketChannel server;
    private Thread serving;

    @BeforeEach
    void setUp() throws Exception {
        conf = Files.writeString(dir.resolve("plight.conf"), Confs.original(dir), StandardCharsets.UTF_8);
        env = new Environment(Map.of("HOME", dir.resolve("home").toString(), "XDG_RUNTIME_DIR", dir.resolve("run").toString()), 1000);
        socket = new ConfigLoader(env).loadFile(conf).control().socket();
        Files.createDirectories(socket.getParent());
    }

    @AfterEach
    void stopServing() throws Exception {
        if (server != null) server.close();
        if (serving != null) serving.join(5000);
    }

    /**
     * Serves the socket: greets (unless {@code greet} is false), then reads each request line and writes
     * {@code answer.apply(line)}, or closes without answering when that is {@code null}.
     */
    private void daemon(boolean greet, Function<String, String> answer) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        serving = new Thread(() -> {
            while (true) {
                try (SocketChannel ch = server.accept()) {
                    if (!greet) continue;
                    ch.write(ByteBuffer.wrap("PLIGHT 1\n".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer one = ByteBuffer.allocate(1);
                    while (true) { // one request after another on the connection, as the CLI sends them
                        ByteArrayOutputStream line = new ByteArrayOutputStream();
                        int n;
                        while ((n = ch.read(one.clear())) > 0 && one.get(0) != '\n') {
                            line.write(one.get(0));
                        }
                        if (n < 0) break;
                        String reply = answer.apply(line.toString(StandardCharsets.UTF_8));
                        if (reply == null) break;
                        ch.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                    }
                } catch (IOException closed) {
                    return;
                }
            }
        }, "stopping-daemon");
        serving.setDaemon(true);
        serving.start();
    }

    private static String stopping(long pid) {
        return "ERR stopping plight is stopping\npid: " + pid + "\n\n";
    }

    private CliRun cli(String... args) {
        return CliRun.withConf(env, conf, args);
    }

    private static void assertClear(CliRun r) {
        assertFalse(r.err().contains("Connection reset") || r.err().contains("Broken pipe") || r.err().contains("Exception"), r::toString);
        assertEquals(1, r.err().lines().count(), () -> "one line:\n" + r);
    }

    @Test
    void aSecondStopDuringAStopWaitsForTheDaemonToExitAndSucceeds() throws Exception {
        Process stoppingDaemon = new ProcessBuilder("sleep", "0.3").start();
        daemon(true, line -> stopping(stoppingDaemon.pid()));
        CliRun r = cli("stop");
        assertEquals(ExitCode.OK, r.code(), r::toString);
        assertEquals("plight: plight was already stopping; it has stopped\n", r.err());
        assertTrue(Processes.exited(stoppingDaemon.pid()), "returned before the daemon's process ended");
        stoppingDaemon.waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    void aChangeDuringAStopFailsAndSaysNothingChanged() throws Exception {
        daemon(true, line -> stopping(1));
        CliRun r = cli("disable", "--reason", "too late");
        assertEquals(ExitCode.FAILED, r.code(), r::toString);
        assertEquals("plight: plight is stopping; the state was not changed: run the command again once it has stopped\n", r.err());
        assertFalse(Files.exists(dir.resolve("state/node_disabled")), "nor written behind the daemon's back");
    }

    @Test
    void reloadAndStatsDuringAStopAreNotRunning() throws Exception {
        daemon(true, line -> stopping(1));
        for (String command : List.of("reload", "stats")) {
            CliRun r = cli(command);
            assertEquals(ExitCode.NOT_RUNNING, r.code(), r::toString);
            assertEquals("plight: plight is stopping\n", r.err());
        }
    }

    /** A file the CLI cannot load still goes to the daemon, which checks it itself (here: it is stopping). */
    @Test
    void aReloadOfAFileWithAnErrorStillAsksTheDaemon() throws Exception {
        Files.writeString(conf, Files.readString(conf).replace("code = 503", "code = 999"));
        daemon(true, line -> stopping(1));
        CliRun r = cli("reload");
        assertEquals(ExitCode.NOT_RUNNING, r.code(), r::toString);
        assertEquals("plight: plight is stopping\n", r.err());
    }

    @Test
    void aReloadTheDaemonRefusesForItsFilesErrorExits78WithThatError() throws Exception {
        daemon(true, line -> "ERR failed reload refused, the running configuration stays: /etc/x.conf:3: bad\n"
                + "config-error: /etc/x.conf:3: bad\n\n");
        CliRun r = cli("reload");
        assertEquals(ExitCode.BAD_CONFIG, r.code(), r::toString);
        assertEquals("plight: /etc/x.conf:3: bad\n", r.err());
    }

    /** The daemon holding the file's pidfile was started from another file, which loads: it reloads, and this file's error is still said. */
    @Test
    void aReloadOfAFileWithAnErrorThatTheDaemonDoesNotReadWarnsOfTheError() throws Exception {
        Files.writeString(conf, Files.readString(conf).replace("code = 503", "code = 999"));
        daemon(true, line -> "OK\nconfig: /etc/other.conf\nstate: enabled\n\n");
        CliRun r = cli("reload");
        assertEquals(ExitCode.OK, r.code(), r::toString);
        assertEquals("Reloaded: /etc/other.conf\n", r.out());
        assertTrue(r.err().startsWith("plight: warning: " + conf + ":"), r::toString);
        assertTrue(r.err().contains("999"), r::toString);
    }

    /** The daemon closed the connection in the middle of a request: as it does when it closes its socket at the end. */
    @Test
    void statusWhenTheDaemonHangsUpShowsTheFilesAndExitsZero() throws Exception {
        daemon(true, line -> null);
        CliRun r = cli("status");
        assertEquals(ExitCode.OK, r.code(), r::toString);
        assertEquals("WARNING: plight is not running\nState: enabled\nCode: 200\nMessage: OK\n", r.out());
        assertEquals("plight: warning: plight closed the control connection without answering (it is stopping); the state files are shown\n", r.err());
        CliRun json = cli("status", "--json");
        assertEquals(ExitCode.OK, json.code(), json::toString);
        assertTrue(json.out().startsWith("{\"running\":false,"), json::toString);
    }

    /** A change may have happened, a stop (no pidfile here to watch) may have ended the daemon: neither is known. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "offline | whether the state changed cannot be told: see 'plight status'",
        "stop    | whether it has exited cannot be told",
    })
    void aCommandWhenTheDaemonHangsUpFailsAndSaysWhatCannotBeTold(String command, String cannotTell) throws Exception {
        daemon(true, line -> null);
        CliRun r = cli(command);
        assertEquals(ExitCode.FAILED, r.code(), r::toString);
        assertClear(r);
        assertTrue(r.err().contains(cannotTell), r::toString);
    }

    /** Closing before the greeting: the daemon is as good as gone, and nobody holds the pidfile. */
    @Test
    void aDaemonThatHangsUpBeforeItsGreetingIsNotRunning() throws Exception {
        daemon(false, line -> null);
        CliRun status = cli("status");
        assertEquals(ExitCode.OK, status.code(), status::toString);
        assertTrue(status.out().startsWith("WARNING: plight is not running\n"), status::toString);
        CliRun stop = cli("stop");
        assertEquals(ExitCode.NOT_RUNNING, stop.code(), stop::toString);
        assertEquals("plight: plight is not running\n", stop.err());
    }

    /** A daemon that makes the change, then answers the wait as the real one does when the state moves on. */
    private static String setThenWait(String line, String waitReply) {
        if (line.startsWith("set ")) return "OK\nstate: disabled\ncode: 404\nmessage: node is unavailable\ndefault: no\n\n";
        if (line.startsWith("wait ")) return waitReply;
        return "OK\nstate: enabled\ncode: 200\nmessage: node is available\ndefault: yes\n\n"; // status: someone enabled it
    }

    @Test
    void jsonWaitSupersededByAnotherChangePrintsOneObjectAndExitsOne() throws Exception {
        daemon(true, line -> setThenWait(line, "ERR failed the state changed to 'enabled' while waiting\n\n"));
        CliRun r = cli("disable", "--wait=5s", "--json");
        assertEquals(ExitCode.FAILED, r.code(), r::toString);
        Map<String, Object> j = JsonReader.object(r.out());
        assertEquals("disabled", j.get("state"), r::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> wait = (Map<String, Object>) j.get("wait");
        assertEquals("superseded", wait.get("result"), r::toString);
        assertEquals("enabled", wait.get("state_now"), r::toString);
        assertEquals(List.of(), wait.get("lagging"), r::toString);
        assertTrue(r.err().contains("the state changed to 'enabled' while waiting"), r::toString);
    }

    @Test
    void jsonWaitWhenTheDaemonStopsPrintsOneObjectAndExitsNotRunning() throws Exception {
        daemon(true, line -> setThenWait(line, stopping(1)));
        CliRun r = cli("disable", "--wait=5s", "--json");
        assertEquals(ExitCode.NOT_RUNNING, r.code(), r::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> wait = (Map<String, Object>) JsonReader.object(r.out()).get("wait");
        assertEquals("stopping", wait.get("result"), r::toString);
        assertEquals("plight: plight is stopping\n", r.err());
    }

    @Test
    void jsonWaitWhenTheDaemonHangsUpPrintsOneObjectAndExitsNotRunning() throws Exception {
        daemon(true, line -> line.startsWith("wait ") ? null : setThenWait(line, null));
        CliRun r = cli("disable", "--wait=5s", "--json");
        assertEquals(ExitCode.NOT_RUNNING, r.code(), r::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> wait = (Map<String, Object>) JsonReader.object(r.out()).get("wait");
        assertEquals("stopping", wait.get("result"), r::toString);
        assertClear(r);
    }
}
