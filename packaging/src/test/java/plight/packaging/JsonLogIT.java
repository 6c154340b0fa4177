package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import plight.testkit.Await;
import plight.testkit.JsonReader;

/** {@code [logging] format = json} and {@code [webserver] logformat = json} with the real daemon. */
@Timeout(120)
class JsonLogIT extends OneNode {
    private static List<Map<String, Object>> objects(Path file) throws Exception {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            try {
                all.add(JsonReader.object(line));
            } catch (RuntimeException e) {
                throw new AssertionError("not one JSON object: " + line, e);
            }
        }
        return all;
    }

    private static Map<String, Object> only(List<Map<String, Object>> lines, String event, String key, Object value) {
        List<Map<String, Object>> found = lines.stream().filter(o -> event.equals(o.get("event")) && value.equals(o.get(key))).toList();
        assertEquals(1, found.size(), "one " + event + " with " + key + "=" + value + " in " + lines);
        return found.get(0);
    }

    @Test
    void everyLineOfBothLogsIsAJsonObjectWithTheEventsFields() throws Exception {
        node = new PlightNode(dir);
        node.writeConf(PlightNode.CONF.replace("[logging]\n", "[logging]\nformat = json\n")
                .replace("[webserver]\n", "[webserver]\nlogformat = json\n"));
        PlightNode.Daemon daemon = node.start();
        node.probe();
        assertEquals(0, node.plight("disable", "--reason", "say \"when\"", "--ttl", "1s").exit());
        Await.until(() -> {
            try {
                return node.probe().code() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20), "the ttl to run out");
        assertEquals(0, node.plight("reload").exit());
        assertEquals(0, node.plight("stop").exit());
        assertEquals(0, daemon.exit(Duration.ofSeconds(20)));

        List<Map<String, Object>> app = objects(node.appLog());
        for (Map<String, Object> o : app) {
            assertTrue(o.get("ts") instanceof String && o.get("level") instanceof String && o.get("event") instanceof String
                    && o.get("message") instanceof String, "ts, level, event, message: " + o);
        }
        Map<String, Object> change = only(app, "state_change", "origin", "cli");
        assertEquals("enabled", change.get("from"));
        assertEquals("disabled", change.get("to"));
        assertEquals("say \"when\"", change.get("reason"));
        assertEquals("1s", change.get("ttl"));
        assertTrue(change.get("by") instanceof String && change.get("uid") instanceof Number && change.get("pid") instanceof Number
                && change.get("expires") instanceof String, change.toString());
        assertEquals("disabled", only(app, "ttl_expired", "state", "disabled").get("state"));
        assertEquals("enabled", only(app, "state_change", "origin", "ttl").get("to"));
        Map<String, Object> reload = only(app, "reload", "status", "ok");
        assertTrue(reload.get("uid") instanceof Number && reload.get("pid") instanceof Number, reload.toString());
        assertTrue(app.stream().anyMatch(o -> "start".equals(o.get("event"))), app.toString());
        assertTrue(app.stream().anyMatch(o -> "stop".equals(o.get("event"))), app.toString());

        List<Map<String, Object>> access = objects(node.accessLog());
        assertTrue(access.size() >= 2, access.toString());
        for (Map<String, Object> o : access) {
            assertEquals("probe", o.get("event"));
            assertEquals("127.0.0.1", o.get("remote"));
            assertTrue(((String) o.get("request")).startsWith("GET / HTTP/1."), o.toString());
            assertTrue(o.get("status") instanceof Number && o.get("bytes") instanceof Number && o.get("ts") instanceof String, o.toString());
        }
    }
}
