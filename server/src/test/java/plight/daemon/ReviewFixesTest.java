package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.control.server.ControlWire;
import plight.control.Reply;

/** A TTL and a reload must never put the node back in rotation past a state someone else set. */
@Timeout(30)
class ReviewFixesTest {
    @TempDir
    Path dir;

    @Test
    void anExpiringTtlLeavesAMarkerWrittenMeanwhileInPlace() throws Exception {
        try (LiveNode node = LiveNode.start(dir); ControlWire w = node.connect()) {
            assertTrue(w.call("set disabled ttl=1s reason=short").isOk());
            // Written behind the daemon's back, within the second before the TTL ends and before the file
            // watcher could see it.
            Path offline = dir.resolve("state/node_offline");
            Files.createFile(offline);
            LiveNode.await(() -> !Files.exists(dir.resolve("state/node_disabled")), Duration.ofSeconds(10),
                    "the expired marker to be removed");
            assertTrue(Files.exists(offline), "the operator's marker is gone");
            LiveNode.await(() -> node.keeper.current().state().name().equals("offline"), Duration.ofSeconds(5),
                    "offline to be served");
            try (Http http = new Http(node.port())) {
                assertEquals(503, http.get().code());
            }
        }
    }

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
            try (Http http = new Http(node.port())) {
                assertEquals(404, http.get().code());
            }
        }
    }
}
