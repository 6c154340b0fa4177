package plight.control.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.config.ControlSettings;
import plight.control.Caller;
import plight.control.Reply;
import plight.control.Request;

/**
 * The control protocol on a real Unix domain socket, against actions that record what the server parsed:
 * every command, every way a request can be wrong, and what the server does with clients that misbehave.
 */
@Timeout(60)
class ControlProtocolTest {
    @TempDir
    Path dir;

    private RecordingActions actions;
    private ControlServer server;
    private Path socket;

    @BeforeEach
    void start() throws IOException {
        actions = new RecordingActions();
        socket = dir.resolve("run/control.sock");
        server = new ControlServer(new ControlSettings(socket, 0660, null), actions);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static long ownUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    /** {@code r}, once it is known to be OK. */
    private static Reply assertOk(Reply r) {
        assertTrue(r.isOk(), () -> "expected OK, got " + r.render());
        return r;
    }

    private static void assertError(String kind, String textPart, Reply r) {
        assertFalse(r.isOk(), () -> "expected ERR " + kind + ", got " + r.render());
        assertEquals(kind, r.errorKind(), r::render);
        assertTrue(r.errorText().contains(textPart), () -> "'" + textPart + "' not in: " + r.render());
        assertEquals(List.of(), r.fields(), "an error from parsing carries no fields");
    }

    /**
     * Every control connection is served by the one control event loop: once another connection has had an
     * answer, whatever the server read before has been dealt with.
     */
    private void barrier() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            assertOk(w.call("version"));
        }
    }

    // --- commands ---------------------------------------------------------------------------------------------

    @Test
    void greetsWithTheProtocolVersionThenWaits() throws IOException {
        try (ControlWire w = ControlWire.connect(socket)) {
            assertEquals("PLIGHT 1", w.readLine());
            assertTrue(w.silentFor(Duration.ofMillis(200)), "nothing but the greeting before a request");
        }
        assertEquals(List.of(), actions.names(), "connecting asks nothing of the daemon");
    }

    @Test
    void everyCommandWithoutArguments() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            Reply status = assertOk(w.call("status"));
            assertEquals("enabled", status.get("state"));
            assertEquals("200", status.get("code"));

            Reply list = assertOk(w.call("list"));
            assertEquals(List.of("enabled", "disabled"), list.all("state"));

            Reply stats = assertOk(w.call("stats"));
            assertEquals("3", stats.get("connections"));
            assertEquals("7", stats.get("probes.enabled"));

            Reply metrics = assertOk(w.call("metrics"));
            assertEquals(List.of("# TYPE plight_probe_sources gauge", "plight_probe_sources 0"), metrics.all("line"));

            Reply version = assertOk(w.call("version"));
            assertEquals("1", version.get("protocol"));
            assertNotNull(version.get("version"));
            assertFalse(version.get("version").isBlank());

            Reply help = assertOk(w.call("help"));
            assertEquals(String.join(" ", Request.COMMANDS), help.get("commands"));
            assertTrue(help.all("usage").contains("set STATE [ttl=DURATION] [reason=TEXT]"), help::render);
            assertTrue(help.all("usage").contains("wait STATE [fall=N] [timeout=DURATION] [window=DURATION]"), help::render);

            Reply reload = assertOk(w.call("reload"));
            assertEquals("test.conf", reload.get("config"));

            // Commands are case-insensitive and surrounding blanks and CRLF are forgiven, as socat users type.
            assertOk(w.call("  STATUS\t\r"));
        }
        assertEquals(List.of("status", "list", "stats", "metrics", "reload", "status"), actions.names());
    }

    @Test
    void callerComesFromThePeerCredentials() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            assertOk(w.call("reload"));
        }
        Caller c = actions.calls.peek().caller();
        assertEquals(ownUid(), c.uid());
        assertEquals(ProcessHandle.current().pid(), c.pid());
        assertEquals(System.getProperty("user.name"), c.user());
    }

    @Test
    void setWithTtlAndReason() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            Reply r = assertOk(w.call("set disabled ttl=2h reason=kernel upgrade: see OPS-1, ttl=5m stays text"));
            assertEquals("disabled", r.get("state"));
            assertEquals("kernel upgrade: see OPS-1, ttl=5m stays text", r.get("reason"));
            assertEquals("PT2H", r.get("ttl"));

            assertOk(w.call("set offline"));
            assertOk(w.call("set maintenance ttl=90s"));
            assertOk(w.call("set disabled reason=   "));
            assertOk(w.call("set disabled reason=café ☕ — ünïcode"));
            assertOk(w.call("set disabled reason=x ttl=1h"));
            assertOk(w.call("set  offline \t ttl=500ms   reason=  padded  "));
        }
        List<RecordingActions.Call> sets = actions.calls.stream().filter(c -> c.what().equals("set")).toList();
        assertEquals(7, sets.size());
        assertSet(sets.get(0), "disabled", "kernel upgrade: see OPS-1, ttl=5m stays text", Duration.ofHours(2));
        assertSet(sets.get(1), "offline", null, null);
        assertSet(sets.get(2), "maintenance", null, Duration.ofSeconds(90));
        assertSet(sets.get(3), "disabled", null, null);
        assertSet(sets.get(4), "disabled", "café ☕ — ünïcode", null);
        // Everything after "reason=" is the reason, even what looks like an option.
        assertSet(sets.get(5), "disabled", "x ttl=1h", null);
        assertSet(sets.get(6), "offline", "padded", Duration.ofMillis(500));
        for (RecordingActions.Call c : sets) {
            assertEquals(ProcessHandle.current().pid(), c.caller().pid(), "every set names its caller");
        }
    }

    private static void assertSet(RecordingActions.Call c, String state, String reason, Duration ttl) {
        assertEquals(state, c.state(), c::toString);
        assertEquals(reason, c.reason(), c::toString);
        assertEquals(ttl, c.ttl(), c::toString);
    }

    @Test
    void anErrorFromTheActionsIsPassedOn() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            Reply r = w.call("set bogus");
            assertEquals("ERR usage unknown state 'bogus'\n\n", r.render());
            assertOk(w.call("status"));
        }
    }

    @Test
    void stopAnswersThenCloses() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            assertTrue(w.call("stop").get("stopping").equals("yes"));
            assertTrue(w.closedByServer(), "the connection closes after stop");
        }
        RecordingActions.Call stop = actions.calls.stream().filter(c -> c.what().equals("stop")).findFirst().orElseThrow();
        assertEquals(ProcessHandle.current().pid(), stop.caller().pid());
    }

    /** A request sent behind {@code stop} in the same write would never be answered: it must not be run either. */
    @Test
    void nothingPipelinedBehindStopIsRun() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("stop\nset offline reason=after stop\n");
            assertEquals("yes", w.reply().get("stopping"));
            assertTrue(w.closedByServer(), "the connection closes after stop");
        }
        barrier();
        assertEquals(List.of("stop"), actions.names(), "a state change after stop was made but never acknowledged");
    }

    // --- wait ------------------------------------------------------------------------------------------------

    @Test
    void waitIsAnsweredWhenItsConditionHolds() throws Exception {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled fall=5 timeout=3s window=2m\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            assertEquals(new Request.Wait("disabled", 5, Duration.ofSeconds(3), Duration.ofMinutes(2)), pending.request());
            assertTrue(w.silentFor(Duration.ofMillis(200)), "no answer before the condition holds");
            pending.answer().complete(Reply.success().field("state", "disabled").field("source", "10.0.0.1 streak=5").build());
            Reply r = w.reply();
            assertOk(r);
            assertEquals("disabled", r.get("state"));
            assertEquals("10.0.0.1 streak=5", r.get("source"));

            w.send("wait offline\n");
            assertEquals(new Request.Wait("offline", 3, Duration.ofSeconds(60), Duration.ofMinutes(1)), actions.nextWait().request(),
                    "defaults: fall=3 timeout=60s window=1m");
        }
    }

    @Test
    void waitThatTimesOutListsTheLaggingSources() throws Exception {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled timeout=1s\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            Reply.Builder lagging = Reply.success().field("lagging", "10.0.0.1 state=enabled streak=9")
                    .field("lagging", "10.0.0.2 state=disabled streak=1");
            pending.answer().complete(new Reply(false, Reply.TIMEOUT, "2 probe source(s) not yet served 'disabled' 3 times",
                    lagging.build().fields()));
            assertEquals(List.of("ERR timeout 2 probe source(s) not yet served 'disabled' 3 times",
                    "lagging: 10.0.0.1 state=enabled streak=9", "lagging: 10.0.0.2 state=disabled streak=1"), w.replyLines());

            w.send("wait disabled\n");
            actions.nextWait().answer().completeExceptionally(new IllegalStateException("boom"));
            Reply failed = w.reply();
            assertEquals(Reply.FAILED, failed.errorKind(), failed::render);
            assertTrue(failed.errorText().contains("boom"), failed::render);
            assertOk(w.call("status"));
        }
    }

    @Test
    void requestsBehindAWaitAreAnsweredAfterItInOrder() throws Exception {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled\nstatus\nversion\nbogus\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            assertTrue(w.silentFor(Duration.ofMillis(200)), "nothing overtakes the pending wait");
            assertEquals(List.of("wait"), actions.names(), "requests behind a wait wait too");
            pending.answer().complete(Reply.success().field("state", "disabled").build());
            assertEquals("disabled", w.reply().get("state"));
            assertEquals("200", w.reply().get("code"));
            assertEquals("1", w.reply().get("protocol"));
            assertEquals(Reply.USAGE, w.reply().errorKind());
        }
    }

    /** A wait followed by more pipelined requests than a few: the wait's answer comes, then every other, in order. */
    @Test
    void seventeenRequestsBehindAWaitAreAllAnsweredInOrder() throws Exception {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled\n" + "status\n".repeat(16) + "version\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            pending.answer().complete(Reply.success().field("state", "disabled").build());
            assertEquals("disabled", w.reply().get("state"), "the wait's answer comes first");
            for (int i = 0; i < 16; i++) {
                assertEquals("200", w.reply().get("code"), "status #" + (i + 1));
            }
            assertEquals("1", w.reply().get("protocol"));
            assertOk(w.call("status"));
        }
    }

    /** Beyond the per-connection cap, only the excess is refused: everything before it is answered first. */
    @Test
    void onlyTheExcessBehindAWaitIsRefused() throws Exception {
        int cap = ControlHandler.MAX_QUEUED;
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled\n" + "status\n".repeat(cap) + "set offline reason=beyond the cap\n" + "status\n".repeat(5));
            RecordingActions.PendingWait pending = actions.nextWait();
            barrier();
            pending.answer().complete(Reply.success().field("state", "disabled").build());
            assertEquals("disabled", w.reply().get("state"), "the wait's answer is not lost");
            for (int i = 0; i < cap; i++) {
                assertEquals("200", w.reply().get("code"), "status #" + (i + 1));
            }
            Reply refused = w.reply();
            assertEquals(Reply.USAGE, refused.errorKind(), refused::render);
            assertTrue(refused.errorText().contains("too many requests"), refused::render);
            assertTrue(w.closedByServer());
        }
        assertFalse(actions.names().contains("set"), "nothing beyond the cap is run");
    }

    @Test
    void theExcessInBytesBehindAWaitIsRefusedToo() throws Exception {
        String padded = "status" + " ".repeat(4000) + "\n";
        int fit = ControlHandler.MAX_QUEUED_BYTES / padded.length();
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled\n" + padded.repeat(fit + 1));
            actions.nextWait().answer().complete(Reply.success().field("state", "disabled").build());
            assertEquals("disabled", w.reply().get("state"));
            for (int i = 0; i < fit; i++) {
                assertEquals("200", w.reply().get("code"), "status #" + (i + 1));
            }
            Reply refused = w.reply();
            assertTrue(refused.errorText().contains("too many requests"), refused::render);
            assertTrue(w.closedByServer());
        }
    }

    // --- stopping --------------------------------------------------------------------------------------------

    private static final String PID = Long.toString(ProcessHandle.current().pid());

    private static void assertStopping(Reply r) {
        assertEquals(Reply.STOPPING, r.errorKind(), r::render);
        assertEquals("plight is stopping", r.errorText(), r::render);
        assertEquals(PID, r.get("pid"), () -> "names the daemon's pid, for a CLI to wait on: " + r.render());
    }

    /**
     * A stop from one client: a wait in flight on another is answered at once, every change and wait after it
     * is refused as stopping (never made unacknowledged), and reading still works until the daemon closes.
     */
    @Test
    void afterAStopChangesAndWaitsAreRefusedAsStoppingAndReadsStillWork() throws Exception {
        try (ControlWire waiting = ControlWire.open(socket); ControlWire other = ControlWire.open(socket)) {
            waiting.send("wait disabled timeout=1h\nstatus\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            try (ControlWire stopper = ControlWire.open(socket)) {
                assertOk(stopper.call("stop"));
                assertTrue(stopper.closedByServer());
            }
            assertStopping(waiting.reply());
            assertEquals("200", waiting.reply().get("code"), "what was sent behind the wait is answered after it");
            assertTrue(pending.answer().isCancelled(), "the wait stops polling");
            for (String change : List.of("set offline", "reload", "stop", "wait disabled")) {
                assertStopping(other.call(change));
            }
            assertOk(other.call("status"));
            try (ControlWire late = ControlWire.open(socket)) {
                assertOk(late.call("stats"));
                assertStopping(late.call("set disabled"));
            }
        }
        assertEquals(List.of("wait", "stop", "status", "status", "stats"), actions.names());
    }

    /**
     * The daemon stops (SIGTERM, or after a stop): closing the server ends every connection at once, whatever it
     * is in the middle of, and a wait in flight is answered first.
     */
    @Test
    void closeEndsEveryConnectionAndAnswersAWaitInFlight() throws Exception {
        byte[] garbage = new byte[100 * 1024];
        new Random(7).nextBytes(garbage);
        try (ControlWire idle = ControlWire.open(socket);
             ControlWire half = ControlWire.open(socket);
             ControlWire noise = ControlWire.open(socket);
             ControlWire waiting = ControlWire.open(socket)) {
            half.send("set disab");
            noise.send(garbage);
            waiting.send("wait disabled timeout=1h\n");
            actions.nextWait();
            barrier();
            server.beginStop();
            assertStopping(waiting.reply());
            server.close();
            assertTrue(waiting.closedByServer());
            assertTrue(idle.closedByServer());
            assertTrue(half.closedByServer());
            while (noise.readLine() != null) {
                // answers to whatever lines the garbage held, then the end
            }
        }
        assertFalse(actions.names().contains("set"));
    }

    // --- bad requests ----------------------------------------------------------------------------------------

    @Test
    void everyBadRequestGetsAUsageErrorAndTheConnectionStaysUsable() throws IOException {
        String valid = "(valid: status, list, set, reload, stats, metrics, wait, stop, version, help)";
        Object[][] cases = {
            {"bogus", "unknown command 'bogus' " + valid},
            {"statuss", "unknown command 'statuss'"},
            {"status now", "'status' takes no arguments"},
            {"list all", "'list' takes no arguments"},
            {"stats --json", "'stats' takes no arguments"},
            {"reload now", "'reload' takes no arguments"},
            {"stop now", "'stop' takes no arguments"},
            {"version 2", "'version' takes no arguments"},
            {"help me", "'help' takes no arguments"},
            {"set", "usage: set STATE [ttl=DURATION] [reason=TEXT]"},
            {"set ttl=1h", "usage: set STATE"},
            {"set reason=x", "usage: set STATE"},
            {"set disabled now", "unexpected 'now'"},
            {"set disabled fall=3", "unexpected 'fall=3'"},
            {"set disabled ttl=soon", "ttl: "},
            {"set disabled ttl=", "ttl: "},
            {"set disabled ttl=-5s", "ttl: "},
            {"set disabled ttl=0", "ttl must be longer than 0"},
            {"set disabled ttl=1h ttl=2h", "'ttl' given twice"},
            {"wait", "usage: wait STATE"},
            {"wait disabled fall=0", "fall must be a whole number 1-1000"},
            {"wait disabled fall=1001", "fall must be a whole number 1-1000"},
            {"wait disabled fall=three", "fall must be a whole number 1-1000"},
            {"wait disabled timeout=0", "timeout must be longer than 0"},
            {"wait disabled window=forever", "window: "},
            {"wait disabled reason=x", "'wait' takes no reason"},
            {"wait disabled ttl=1h", "unexpected 'ttl=1h'"},
            {"", "empty request " + valid},
            {"   \t ", "empty request"},
            {"sta\u0001tus", "control character in the request"},
            {"status\u007f", "control character in the request"},
            {"stat\rus", "control character in the request"},
            {"set disabled reason=a\u001b[31mred", "control character in the request"},
            {"\u0000", "the request"},
            // What could end a line in a reply, a marker file or a log line (RELIABILITY.md, "Security").
            {"set disabled reason=a\u0000b", "control character in the request (U+0000"},
            {"set disabled reason=a\u0085b", "control character in the request (U+0085"},
            {"set disabled reason=a\u2028b", "control character in the request (U+2028"},
            {"set disabled reason=a\u009bb", "control character in the request (U+009B"},
            {"wait dis\u000babled", "control character in the request (U+000B"},
        };
        try (ControlWire w = ControlWire.open(socket)) {
            for (Object[] c : cases) {
                Reply r = w.call((String) c[0]);
                assertError(Reply.USAGE, (String) c[1], r);
            }
            assertOk(w.call("status"));
        }
        assertEquals(List.of("status"), actions.names(), "no bad request reached the actions");
    }

    @Test
    void nonUtf8IsAUsageError() throws IOException {
        byte[][] lines = {
            {(byte) 0xff, (byte) 0xfe},                       // never valid
            {'s', 't', (byte) 0xc3, '(', 'u', 's'},           // bad continuation byte
            {(byte) 0xc0, (byte) 0xaf},                       // overlong '/'
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},          // a UTF-16 surrogate
            {'s', 'e', 't', ' ', 'x', ' ', 'r', 'e', 'a', 's', 'o', 'n', '=', (byte) 0xe2, (byte) 0x82},  // cut short
            "status".getBytes(StandardCharsets.UTF_16LE),     // NULs, and no UTF-8 command
        };
        try (ControlWire w = ControlWire.open(socket)) {
            for (byte[] line : lines) {
                w.send(line).send("\n");
                Reply r = w.reply();
                assertFalse(r.isOk(), r::render);
                assertEquals(Reply.USAGE, r.errorKind(), r::render);
            }
            w.send(new byte[] {(byte) 0xff, '\n'});
            assertEquals("ERR usage the request is not UTF-8 text", w.readLine());
            assertEquals("", w.readLine());
            assertOk(w.call("status"));
        }
        assertEquals(List.of("status"), actions.names());
    }

    @Test
    void binaryGarbageLineByLineIsAnsweredLineByLine() throws IOException {
        Random random = new Random(20261125L);
        ByteArrayOutputStream garbage = new ByteArrayOutputStream();
        int lines = 300;
        for (int i = 0; i < lines; i++) {
            byte[] line = new byte[random.nextInt(300)];
            random.nextBytes(line);
            for (int j = 0; j < line.length; j++) {
                if (line[j] == '\n') line[j] = 0;
            }
            garbage.writeBytes(line);
            garbage.write('\n');
        }
        try (ControlWire w = ControlWire.open(socket)) {
            // In pieces of random size, as a broken client would send it.
            byte[] all = garbage.toByteArray();
            for (int at = 0; at < all.length; ) {
                int n = Math.min(all.length - at, 1 + random.nextInt(2000));
                w.send(java.util.Arrays.copyOfRange(all, at, at + n));
                at += n;
            }
            for (int i = 0; i < lines; i++) {
                Reply r = w.reply();
                assertEquals(Reply.USAGE, r.errorKind(), "line " + i + ": " + r.render());
            }
            assertOk(w.call("status"));
        }
        assertEquals(List.of("status"), actions.names());
    }

    @Test
    void aLineOfExactlyTheLimitIsAccepted() throws IOException {
        String line = "status" + " ".repeat(Request.MAX_LINE_BYTES - "status".length());
        assertEquals(Request.MAX_LINE_BYTES, line.length());
        try (ControlWire w = ControlWire.open(socket)) {
            assertOk(w.call(line));
            assertOk(w.call("status"));
        }
    }

    @Test
    void anOversizedLineIsTooLongThenClosed() throws IOException {
        String expected = "ERR too-long request line longer than " + Request.MAX_LINE_BYTES + " bytes";
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("set disabled reason=" + "x".repeat(Request.MAX_LINE_BYTES + 1 - 20) + "\n");
            assertEquals(expected, w.readLine());
            assertEquals("", w.readLine());
            assertTrue(w.closedByServer(), "the connection closes after too-long");
        }
        // Without a newline at all: the server does not buffer on until one comes.
        try (ControlWire w = ControlWire.open(socket)) {
            byte[] noNewline = new byte[3 * Request.MAX_LINE_BYTES];
            new Random(7).nextBytes(noNewline);
            for (int i = 0; i < noNewline.length; i++) {
                if (noNewline[i] == '\n') noNewline[i] = 'x';
            }
            try {
                w.send(noNewline);
            } catch (IOException closedWhileSending) {
                // the server may close before it has read everything; what it said is still readable
            }
            assertEquals(expected, w.readLine());
            assertEquals("", w.readLine());
            assertTrue(w.closedByServer());
        }
        assertEquals(List.of(), actions.names());
    }

    /** The connection is closed after too-long; what the client sent behind the long line must not be run. */
    @Test
    void nothingPipelinedBehindAnOversizedLineIsRun() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("x".repeat(Request.MAX_LINE_BYTES + 1) + "\nset offline reason=behind a long line\nstatus\n");
            assertEquals("ERR too-long request line longer than " + Request.MAX_LINE_BYTES + " bytes", w.readLine());
            assertEquals("", w.readLine());
            assertTrue(w.closedByServer(), "only the error, then the close");
        }
        barrier();
        assertEquals(List.of(), actions.names(), "requests behind the oversized line were run");
    }

    /**
     * A line too long behind a pending wait: the wait and everything queued before the long line are answered
     * in order (the wait when it completes, or as stopping), then the too-long error, then the close.
     */
    @Test
    void requestsQueuedBeforeAnOversizedLineBehindAWaitAreAnsweredFirst() throws Exception {
        String tooLong = "ERR too-long request line longer than " + Request.MAX_LINE_BYTES + " bytes";
        String longLine = "x".repeat(Request.MAX_LINE_BYTES + 1) + "\n";
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled timeout=1h\nset offline reason=pipelined\nstatus\n" + longLine + "set disabled\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            barrier();
            pending.answer().complete(Reply.success().field("state", "disabled").build());
            assertEquals("disabled", w.reply().get("state"), "the wait's answer is not lost");
            assertEquals("pipelined", w.reply().get("reason"), "the set queued behind the wait is run and answered");
            assertEquals("offline", w.reply().get("state"));
            assertEquals(tooLong, w.readLine());
            assertEquals("", w.readLine());
            assertTrue(w.closedByServer(), "then the close");
        }
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("wait disabled timeout=1h\nstatus\n" + longLine);
            actions.nextWait();
            barrier();
            server.beginStop();
            assertStopping(w.reply());
            assertEquals("offline", w.reply().get("state"), "the status queued behind the wait is answered");
            assertEquals(tooLong, w.readLine());
            assertEquals("", w.readLine());
            assertTrue(w.closedByServer());
        }
        assertEquals(List.of("wait", "set", "status", "wait", "status"), actions.names(),
                "nothing behind the oversized line is run");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (ControlWire w = ControlWire.open(socket)) {
            w.send("status\nlist\nbogus\nversion\nset offline reason=piped\nstats\nhelp\nstatus\n");
            assertEquals("enabled", w.reply().get("state"));
            assertEquals(List.of("enabled", "disabled"), w.reply().all("state"));
            assertEquals(Reply.USAGE, w.reply().errorKind());
            assertEquals("1", w.reply().get("protocol"));
            assertEquals("piped", w.reply().get("reason"));
            assertEquals("3", w.reply().get("connections"));
            assertNotNull(w.reply().get("commands"));
            assertEquals("offline", w.reply().get("state"), "the status after the set sees it");
            assertTrue(w.silentFor(Duration.ofMillis(100)), "one reply per request");

            // And a request split across writes at every byte.
            for (char c : "status\n".toCharArray()) {
                w.send(String.valueOf(c));
            }
            assertEquals("offline", w.reply().get("state"));
        }
        assertEquals(List.of("status", "list", "set", "stats", "status", "status"), actions.names());
    }

    /**
     * One wait of the idle time (here a short one) covers three clients: one that sends half a request and
     * stops, one that trickles bytes of a request that never completes, and one whose {@code wait} is pending
     * for longer than the idle time and must not be cut off.
     */
    @Test
    void incompleteRequestsTimeOutButAPendingWaitDoesNot() throws Exception {
        Duration idle = Duration.ofMillis(600);
        server.close();
        server = new ControlServer(new ControlSettings(socket, 0660, null), actions, idle);
        server.start();
        String expected = "ERR timeout no complete request within 600ms";
        long start = System.nanoTime();
        Duration limit = idle.plusSeconds(3);
        try (ControlWire half = ControlWire.open(socket);
             ControlWire trickle = ControlWire.open(socket);
             ControlWire waiting = ControlWire.open(socket)) {
            half.send("stat");
            waiting.send("wait disabled timeout=1h\n");
            RecordingActions.PendingWait pending = actions.nextWait();
            Thread trickler = new Thread(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        trickle.send(new byte[] {(byte) "set disabled reason=slow loris "
                                .charAt(i % 31)});
                        Thread.sleep(idle.toMillis() / 5);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server hung up on us, as it should
                }
            }, "trickler");
            trickler.setDaemon(true);
            trickler.start();

            assertEquals(expected, half.readLine(limit), "half-sent request");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(idle) >= 0, "timed out too early: " + took);
            assertEquals("", half.readLine());
            assertTrue(half.closedByServer());

            assertTrue(waiting.silentFor(Duration.ofMillis(100)), "a pending wait is not a slow client");
            pending.answer().complete(Reply.success().field("state", "disabled").build());
            assertEquals("disabled", waiting.reply().get("state"));

            Duration left = limit.minus(Duration.ofNanos(System.nanoTime() - start));
            String trickled;
            try {
                trickled = trickle.readLine(left.isNegative() ? Duration.ofMillis(1) : left);
            } catch (AssertionError e) {
                throw new AssertionError("a request trickled a byte every " + idle.toMillis() / 5
                        + " ms was not timed out " + limit.toSeconds() + " s after it began: " + e.getMessage(), e);
            }
            assertEquals(expected, trickled);
            assertEquals("", trickle.readLine());
            assertTrue(trickle.closedByServer());
            trickler.interrupt();
        }
        assertFalse(actions.names().contains("set"));
    }

    @Test
    void aHundredConcurrentClientsAreAllAnswered() throws Exception {
        int n = 100;
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < n; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try (ControlWire w = ControlWire.open(socket)) {
                    go.await();
                    Reply set = w.call("set disabled reason=client " + id);
                    Reply status = w.call("status");
                    if (!set.isOk() || !("client " + id).equals(set.get("reason")) || !status.isOk()) {
                        problems.add(id + ": " + set.render() + status.render());
                    } else {
                        answered.incrementAndGet();
                    }
                } catch (Throwable e) {
                    problems.add(id + ": " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            assertFalse(t.isAlive(), "a client hangs");
        }
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(n, answered.get());
        assertEquals(n, actions.calls.stream().filter(c -> c.what().equals("set")).count());
    }

    // --- the socket file -------------------------------------------------------------------------------------

    private static String mode(Path p) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String group(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
    }

    @Test
    void theSocketFileHasTheConfiguredMode() throws IOException {
        assertEquals("rw-rw----", mode(socket));
        assertTrue(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).isOther(), "a socket");
        for (Map.Entry<Integer, String> m : Map.of(0600, "rw-------", 0640, "rw-r-----", 0666, "rw-rw-rw-").entrySet()) {
            Path p = dir.resolve("m" + Integer.toOctalString(m.getKey()) + ".sock");
            try (ControlServer s = new ControlServer(new ControlSettings(p, m.getKey(), null), actions)) {
                s.start();
                assertEquals(m.getValue(), mode(p), "mode " + Integer.toOctalString(m.getKey()));
                try (ControlWire w = ControlWire.open(p)) {
                    assertOk(w.call("status"));
                }
            }
        }
    }

    @Test
    void theSocketFileGetsTheConfiguredGroupOrKeepsItsOwn() throws IOException {
        String own = group(socket);
        Path missing = dir.resolve("missing-group.sock");
        try (ControlServer s = new ControlServer(new ControlSettings(missing, 0660, "no-such-group-plight-test"), actions)) {
            s.start();
            assertEquals(own, group(missing), "a group that does not exist leaves the daemon's own");
            try (ControlWire w = ControlWire.open(missing)) {
                assertOk(w.call("status"));
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ownUid() == 0, "only root may give a file to another group");
        String other = own.equals("daemon") ? "nogroup" : "daemon";
        Path grouped = dir.resolve("grouped.sock");
        try (ControlServer s = new ControlServer(new ControlSettings(grouped, 0660, other), actions)) {
            s.start();
            assertEquals(other, group(grouped));
            assertEquals("rw-rw----", mode(grouped));
        }
    }

    @Test
    void theSocketFileIsRemovedAtClose() {
        assertTrue(Files.exists(socket));
        server.close();
        assertFalse(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertThrows(IOException.class, () -> ControlWire.connect(socket));
    }

    @Test
    void aStaleSocketFileIsReplaced() throws IOException {
        server.close();
        // What a crash leaves: a socket file that nobody listens on.
        try (java.nio.channels.ServerSocketChannel crashed = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            crashed.bind(java.net.UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the JDK leaves the file behind");
        IOException refused = assertThrows(IOException.class, () -> ControlWire.connect(socket));
        assertTrue(String.valueOf(refused.getMessage()).contains("refused"), refused.toString());

        server = new ControlServer(new ControlSettings(socket, 0640, null), actions);
        server.start();
        assertEquals("rw-r-----", mode(socket));
        try (ControlWire w = ControlWire.open(socket)) {
            assertOk(w.call("status"));
        }
    }

    @Test
    void aSecondServerOnALiveSocketIsRefusedAndLeavesTheFirstAlone() throws IOException {
        RecordingActions other = new RecordingActions();
        ControlServer second = new ControlServer(new ControlSettings(socket, 0600, null), other);
        IOException e = assertThrows(IOException.class, second::start);
        assertTrue(e.getMessage().contains("another process serves the control socket " + socket), e.getMessage());
        second.close();
        assertTrue(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "closing the refused second server removed the first server's socket file");
        assertEquals("rw-rw----", mode(socket), "the first server's socket keeps its mode");
        try (ControlWire w = ControlWire.open(socket)) {
            assertOk(w.call("status"));
        }
        assertEquals(List.of("status"), actions.names(), "the first server still answers");
        assertEquals(List.of(), other.names());
    }

    @Test
    void theSocketDirectoryIsCreated() throws IOException {
        Path deep = dir.resolve("a/b/c/control.sock");
        try (ControlServer s = new ControlServer(new ControlSettings(deep, 0660, null), actions)) {
            s.start();
            try (ControlWire w = ControlWire.open(deep)) {
                assertOk(w.call("version"));
            }
        }
    }
}
