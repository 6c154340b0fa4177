package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.control.Reply;
import plight.control.server.ControlWire;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/** {@code reload}: new codes, messages and headers are served at once, without a closed connection or a failed probe. */
@Timeout(60)
class ReloadTest {
    /** The new look of the current state: another code, message and an extra header. */
    static final String RELOADED = LiveNode.CONF.replace("code = 404\nmessage = node is unavailable",
            "code = 410\nmessage = node is gone for maintenance\nheader.x-reloaded = yes");

    @TempDir
    Path dir;

    @Test
    void reloadUnderKeepAliveLoadFailsNoProbe() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertTrue(w.call("set disabled reason=reload test").isOk());
            int n = 8;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicIntegerArray before = new AtomicIntegerArray(n);
            AtomicIntegerArray after = new AtomicIntegerArray(n);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> probers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    try (RawHttp conn = new RawHttp(node.port())) {
                        while (!stop.get()) {
                            int generation = acknowledged.get();
                            RawHttp.Response r = conn.get();
                            boolean old = r.code() == 404 && r.reason().equals("node is unavailable")
                                    && r.bodyText().equals("node is unavailable\n") && r.header("x-reloaded") == null;
                            boolean reloaded = r.code() == 410 && r.reason().equals("node is gone for maintenance")
                                    && r.bodyText().equals("node is gone for maintenance\n") && "yes".equals(r.header("x-reloaded"));
                            if (!"disabled".equals(r.state()) || !(old || reloaded)) {
                                problems.add(id + ": unexpected response " + r);
                                return;
                            }
                            if (generation > 0 && !reloaded) {
                                problems.add(id + ": the old configuration served after the reload was acknowledged: " + r);
                            }
                            if (reloaded) after.incrementAndGet(id); else before.incrementAndGet(id);
                        }
                        // The connection outlived the reload: it still answers.
                        if (conn.get().code() != 410) problems.add(id + ": last probe not reloaded");
                    } catch (Exception e) {
                        problems.add(id + ": probe failed: " + e);
                    }
                }, "prober-" + i);
                t.start();
                probers.add(t);
            }
            try {
                Await.until(() -> min(before, n) >= 50, Duration.ofSeconds(10), "every connection to be probing");
                LiveNode.writeConf(dir, RELOADED);
                Reply r = w.call("reload");
                acknowledged.set(1);
                assertTrue(r.isOk(), r::render);
                assertEquals(node.conf.toString(), r.get("config"));
                assertEquals("disabled", r.get("state"));
                assertEquals(List.of(), r.all("restart-needed"), r::render);
                Await.until(() -> min(after, n) >= 50 || !problems.isEmpty(), Duration.ofSeconds(10),
                        "every connection to probe the new configuration");
                assertEquals(n, node.probe.openConnections(), "no probe connection was closed by the reload");
            } finally {
                stop.set(true);
                for (Thread t : probers) {
                    t.join(10_000);
                    assertFalse(t.isAlive(), t.getName() + " hangs");
                }
            }
            assertEquals(List.of(), List.copyOf(problems));

            Reply status = w.call("status");
            assertEquals("410", status.get("code"));
            assertEquals("node is gone for maintenance", status.get("message"));
            assertEquals("reload test", status.get("reason"), "a reload keeps the marker's metadata");
        }
    }

    @Test
    void aBadConfigIsRefusedWithFileAndLineAndTheOldOneStays() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect(); RawHttp keepAlive = new RawHttp(node.port())) {
            assertTrue(w.call("set disabled").isOk());
            assertEquals(404, keepAlive.get().code());

            LiveNode.writeConf(dir, LiveNode.CONF.replace("code = 404", "code = 99"));
            Reply r = w.call("reload");
            assertEquals(Reply.FAILED, r.errorKind(), r::render);
            assertTrue(r.errorText().startsWith("reload refused, the running configuration stays: " + node.conf + ":24: "), r::render);
            assertTrue(r.errorText().contains("99"), r::render);

            LiveNode.writeConf(dir, LiveNode.CONF.replace("states = enabled,disabled,offline", "states = enabled,disabled,offline,gone"));
            r = w.call("reload");
            assertEquals(Reply.FAILED, r.errorKind(), r::render);
            assertTrue(r.errorText().contains(node.conf + ":18: ") && r.errorText().contains("'gone'"), r::render);

            LiveNode.writeConf(dir, "[webserver\nport = 1\n");
            r = w.call("reload");
            assertEquals(Reply.FAILED, r.errorKind(), r::render);
            assertTrue(r.errorText().contains(node.conf + ":1: "), r::render);

            RawHttp.Response still = keepAlive.get();
            assertEquals(404, still.code());
            assertEquals("node is unavailable", still.reason());
            assertEquals("404", w.call("status").get("code"));
            assertEquals(List.of("enabled", "disabled", "offline"), w.call("list").all("state"));

            // Fixed, it loads.
            LiveNode.writeConf(dir, RELOADED);
            assertTrue(w.call("reload").isOk());
            assertEquals(410, keepAlive.get().code());
        }
    }

    @Test
    void settingsOnlyARestartAppliesAreReported() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            int port = node.port();
            LiveNode.writeConf(dir, LiveNode.CONF.replace("port = 0", "port = 65000\ntransport = nio").replace("mode = 0600", "mode = 0660")
                    .replace("message = OK", "message = still OK"));
            Reply r = w.call("reload");
            assertTrue(r.isOk(), r::render);
            assertEquals(List.of("[webserver] port", "[webserver] transport", "[control]"), r.all("restart-needed"), r::render);
            // What can change did; the probe port stays where it is until the restart.
            RawHttp.Response probe = RawHttp.once(port);
            assertEquals(200, probe.code());
            assertEquals("still OK", probe.reason());
            assertEquals(port, node.port());
        }
    }

    @Test
    void aReloadCanAddAState() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            LiveNode.writeConf(dir, LiveNode.CONF.replace("states = enabled,disabled,offline", "states = enabled,disabled,maintenance,offline")
                    + "[maintenance]\nfile = " + dir.resolve("state/node_maintenance") + "\ncode = 503\nmessage = planned maintenance\n"
                    + "command = maint\nagent = maint\n");
            assertTrue(w.call("reload").isOk());
            assertEquals(List.of("enabled", "disabled", "maintenance", "offline"), w.call("list").all("state"));
            Reply set = w.call("set maint reason=window");
            assertTrue(set.isOk(), set::render);
            RawHttp.Response probe = node.probeOnce();
            assertEquals(503, probe.code());
            assertEquals("planned maintenance", probe.reason());
            assertEquals("maintenance", probe.state());
        }
    }

    /**
     * The case: the node is disabled and the new config looks for the disabled marker elsewhere. Under it
     * no marker exists, so taking it would serve the default state while the old marker is still on disk.
     */
    @Test
    void aReloadThatMovesTheCurrentStatesFileIsRefusedNamingTheMarker() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect(); RawHttp keepAlive = new RawHttp(node.port())) {
            assertTrue(w.call("set disabled reason=moved").isOk());
            Path old = node.marker("disabled");
            LiveNode.writeConf(dir, LiveNode.CONF.replace("file = @DIR@/state/node_disabled", "file = @DIR@/elsewhere/node_disabled"));
            Reply r = w.call("reload");
            assertEquals(Reply.FAILED, r.errorKind(), r::render);
            assertTrue(r.errorText().startsWith("reload refused, the running configuration stays: "), r::render);
            assertTrue(r.errorText().contains("'disabled'") && r.errorText().contains(old.toString())
                    && r.errorText().contains(dir.resolve("elsewhere/node_disabled").toString()), r::render);

            assertEquals(404, keepAlive.get().code());
            assertEquals(404, node.probeOnce().code());
            Reply status = w.call("status");
            assertEquals("disabled", status.get("state"));
            assertEquals("moved", status.get("reason"));
            assertTrue(Files.exists(old));
            // Refused means refused: the old table stays, so changes still go to the old file.
            assertTrue(w.call("set offline").isOk());
            assertTrue(Files.exists(node.marker("offline")) && !Files.exists(old));
        }
    }

    /** Whatever the cause, a reload under which another state would be served is refused: here a higher priority. */
    @Test
    void aReloadUnderWhichAnotherStateWouldBeServedIsRefused() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertTrue(w.call("set disabled").isOk());
            // An operator's leftover of a state the running config does not know yet.
            Path leftover = Files.createFile(dir.resolve("state/node_maintenance"));
            LiveNode.writeConf(dir, LiveNode.CONF.replace("states = enabled,disabled,offline", "states = enabled,disabled,maintenance,offline")
                    + "[maintenance]\nfile = " + leftover + "\ncode = 503\nmessage = planned maintenance\n");
            Reply r = w.call("reload");
            assertEquals(Reply.FAILED, r.errorKind(), r::render);
            assertTrue(r.errorText().contains("'disabled'") && r.errorText().contains("'maintenance'")
                    && r.errorText().contains(leftover.toString()), r::render);
            assertEquals(404, node.probeOnce().code());
            assertEquals(List.of("enabled", "disabled", "offline"), w.call("list").all("state"));

            // Once the leftover is gone, the same file loads.
            Files.delete(leftover);
            Reply ok = w.call("reload");
            assertTrue(ok.isOk(), ok::render);
            assertEquals("disabled", ok.get("state"));
        }
    }

    private static int min(AtomicIntegerArray a, int n) {
        int m = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) m = Math.min(m, a.get(i));
        return m;
    }

    /** A reload must never put the node back in rotation past a state someone set. */
    @Test
    void aReloadThatDropsTheCurrentStateIsRefused() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertTrue(w.call("set disabled").isOk());
            LiveNode.writeConf(dir, LiveNode.CONF
                    .replace("states = enabled,disabled,offline", "states = enabled,offline")
                    .replace("[disabled]\nfile = @DIR@/state/node_disabled\ncode = 404\nmessage = node is unavailable\n", ""));
            Reply r = w.call("reload");
            assertFalse(r.isOk(), r::render);
            assertTrue(r.errorText().contains("the node is in 'disabled'"), r::render);
            try (RawHttp http = new RawHttp(node.port())) {
                assertEquals(404, http.get().code());
            }
        }
    }
}
