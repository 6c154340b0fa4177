package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.control.server.ControlWire;
import plight.control.Reply;

/**
 * Reloads that alternate between a config with {@code offline} and one without, racing a client that sets
 * {@code offline}, reads the status and sets {@code enable} through the control socket. A reload must never
 * slip between a change and its acknowledgement: an acknowledged change stays served until the next change, and
 * an {@code OK} always names the state asked for.
 */
@Timeout(60)
class ReloadRaceTest {
    /** LiveNode's config without the {@code offline} state. */
    static final String WITHOUT_OFFLINE = LiveNode.CONF.replace("states = enabled,disabled,offline", "states = enabled,disabled")
            .replace("[offline]\nfile = @DIR@/state/node_offline\ncode = 503\nmessage = node is offline\n", "");

    private static final int ROUNDS = 400;

    @TempDir
    Path dir;

    @Test
    void anAcknowledgedChangeIsNeverUndoneByAConcurrentReload() throws Exception {
        assertFalse(WITHOUT_OFFLINE.contains("offline"));
        try (LiveNode node = LiveNode.start(dir)) {
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger[] reloaded = {new AtomicInteger(), new AtomicInteger()};
            AtomicInteger offlineAcknowledged = new AtomicInteger();
            // SIGHUP's reloads run beside the control socket's thread, as in the test: the control socket
            // alone answers one request at a time.
            Thread reloader = new Thread(() -> {
                try {
                    for (int i = 0; !done.get(); i++) {
                        int which = i % 2;
                        replaceConf(which == 0 ? WITHOUT_OFFLINE : LiveNode.CONF);
                        Reply r = node.reloadBySignal();
                        if (r.isOk()) {
                            reloaded[which].incrementAndGet();
                        } else if (!r.errorText().startsWith("reload refused")) {
                            problems.add("reload: " + r.render());
                        }
                    }
                } catch (Throwable e) {
                    problems.add("reloader: " + e);
                }
            }, "reloader");
            reloader.start();
            try (ControlWire w = node.connect()) {
                for (int i = 0; i < ROUNDS && problems.isEmpty(); i++) {
                    Reply offline = w.call("set offline");
                    if (offline.isOk()) {
                        offlineAcknowledged.incrementAndGet();
                        if (!"offline".equals(offline.get("state"))) problems.add("set offline answered " + offline.render());
                        Reply status = w.call("status");
                        if (!"offline".equals(status.get("state"))) problems.add("status after an acknowledged set offline: " + status.render());
                    } else if (!Reply.USAGE.equals(offline.errorKind())) {
                        problems.add("set offline: " + offline.render()); // only 'unknown state' may refuse it
                    }
                    Reply enable = w.call("set enable");
                    if (!enable.isOk() || !"enabled".equals(enable.get("state"))) problems.add("set enable answered " + enable.render());
                }
            } finally {
                done.set(true);
                reloader.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertFalse(reloader.isAlive(), "the reloader hangs");
            assertEquals(List.of(), List.copyOf(problems));
            assertTrue(offlineAcknowledged.get() > 0 && reloaded[0].get() > 0 && reloaded[1].get() > 0,
                    "the race was run: " + offlineAcknowledged + " offline acknowledged, reloads without/with offline: "
                            + reloaded[0] + "/" + reloaded[1]);
            assertFalse(Files.exists(node.marker("offline")), "the last change was 'enable'");
        }
    }

    /** Replaces the config in one step, so that a reload never reads half a file. */
    private void replaceConf(String text) throws Exception {
        Path tmp = dir.resolve("plight.conf.tmp");
        Files.writeString(tmp, LiveNode.filled(dir, text), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("plight.conf"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
