package plight.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;
import plight.control.Caller;
import plight.testkit.JsonReader;

class LogTest {
    @Test
    void jsonLineKeepsCrLfAndQuotesOfAReasonInsideOneParsableLine() {
        String reason = "kernel \"upgrade\"\r\nrm -rf\n\\";
        String line = Log.event("state_change").field("from", "enabled").field("to", "disabled")
                .caller(new Caller(1000, 4242, "alice")).field("reason", reason).field("ttl", "2h")
                .render("info", System.currentTimeMillis(), "state {} -> {} by {}, reason: {}", new Object[] {"enabled", "disabled", "alice", reason});
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        Map<String, Object> o = JsonReader.object(line);
        assertEquals("info", o.get("level"));
        assertEquals("state_change", o.get("event"));
        assertEquals("alice", o.get("by"));
        assertEquals(1000L, ((Number) o.get("uid")).longValue());
        assertEquals(4242L, ((Number) o.get("pid")).longValue());
        assertEquals(reason, o.get("reason"));
        assertEquals("state enabled -> disabled by alice, reason: " + reason, o.get("message"));
        assertEquals(24, ((String) o.get("ts")).length(), "yyyy-MM-ddTHH:mm:ss.SSSZ");
    }

    @Test
    void messagesFillPlaceholdersInOrderAsTinylogDoes() {
        assertEquals("a 1 b [x] c {}", Log.message("a {} b {} c {}", new Object[] {1, java.util.List.of("x")}));
    }
}
