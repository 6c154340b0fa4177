package plight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import plight.control.Reply;
import plight.state.Marker;

/** What the CLI prints for people: text from the daemon or a marker file it did not write, source lines read through SourceLine. */
class OutputTest {
    @Test
    void statusShowsControlCharactersFromAMarkerEscaped() {
        // A marker written by hand (or by a hostile user) must not drive the terminal: clear the screen,
        // rewrite the line, ring the bell, start a C1 control sequence.
        Marker marker = new Marker(Instant.parse("2026-01-02T03:04:05Z"), "eve\u001b[2J",
                "a\rb\u0007c\u009b31md\te\u007f", null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Output.status(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new StatusView("disabled", 404, "node is unavailable", false, marker), true);
        assertEquals("State: disabled\nCode: 404\nMessage: node is unavailable\nSince: 2026-01-02T03:04:05Z\n"
                + "By: eve\\x1b[2J\nReason: a\\rb\\x07c\\x9b31md\\te\\x7f\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void statusKeepsPrintableTextAsItIs() {
        Marker marker = new Marker(null, null, "Wartung läuft – C:\\temp \"quoted\"", null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Output.status(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new StatusView("offline", 503, "node is offline", false, marker), true);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("Reason: Wartung läuft – C:\\temp \"quoted\"\n"));
    }

    @Test
    void statsSaysIntervalUnknownForASourceSeenOnce() {
        Reply reply = Reply.success().field("connections", 2).field("probes.enabled", 4)
                .field("source", "::1 last=2026-01-02T03:04:05Z interval_ms=0 state=enabled streak=1 probes=1")
                .field("source", "192.0.2.7 last=2026-01-02T03:04:04Z interval_ms=2000 state=enabled streak=3 probes=3")
                .build();
        String text = Output.stats(reply);
        assertTrue(text.contains("  ::1  other  last seen 2026-01-02T03:04:05Z  interval unknown  served enabled x1\n"), text);
        assertTrue(text.contains("  192.0.2.7  other  last seen 2026-01-02T03:04:04Z  every 2000 ms  served enabled x3\n"), text);
    }

    private static final Reply STATS = Reply.success().field("connections", 2).field("probes.enabled", 7).field("probes.disabled", 0)
            .field("source", "10.0.0.7 last=2024-05-01T10:00:00.120Z interval_ms=2000 state=enabled streak=5 probes=7")
            .field("source", "10.0.0.8 last=2024-05-01T10:00:01Z interval_ms=0 state=enabled streak=1 probes=1")
            .field("source", "10.0.0.9 state=disabled")
            .field("source", "10.0.0.10 last=2024-05-01T10:00:02Z interval_ms=100 state=disabled streak=4 probes=9 kind=haproxy"
                    + " lb=NOLB lb_name=be/app lb_node=lb1 lb_weight=0/1 lb_scur=2/10")
            .build();

    @Test
    void statsForPeopleOneRowPerSource() {
        assertEquals("Open connections: 2\nProbes served:\n  enabled: 7\n  disabled: 0\nProbe sources: 4\n"
                + "  10.0.0.7  other  last seen 2024-05-01T10:00:00.120Z  every 2000 ms  served enabled x5\n"
                + "  10.0.0.8  other  last seen 2024-05-01T10:00:01Z  interval unknown  served enabled x1\n"
                + "  10.0.0.9  other  last seen null  every null ms  served disabled xnull\n"
                + "  10.0.0.10  haproxy  last seen 2024-05-01T10:00:02Z  every 100 ms  served disabled x4"
                + "  LB NOLB be/app on lb1 weight 0/1 scur 2/10\n", Output.stats(STATS));
    }

    @Test
    void statsJsonWithMissingFieldsAsNull() {
        assertEquals("{\"connections\":2,\"probes\":{\"enabled\":7,\"disabled\":0},\"sources\":["
                + "{\"address\":\"10.0.0.7\",\"last_seen\":\"2024-05-01T10:00:00.120Z\",\"interval_ms\":2000,\"state\":\"enabled\",\"streak\":5,\"probes\":7,\"kind\":\"other\",\"lb\":null},"
                + "{\"address\":\"10.0.0.8\",\"last_seen\":\"2024-05-01T10:00:01Z\",\"interval_ms\":0,\"state\":\"enabled\",\"streak\":1,\"probes\":1,\"kind\":\"other\",\"lb\":null},"
                + "{\"address\":\"10.0.0.9\",\"last_seen\":null,\"interval_ms\":null,\"state\":\"disabled\",\"streak\":null,\"probes\":null,\"kind\":\"other\",\"lb\":null},"
                + "{\"address\":\"10.0.0.10\",\"last_seen\":\"2024-05-01T10:00:02Z\",\"interval_ms\":100,\"state\":\"disabled\",\"streak\":4,"
                + "\"probes\":9,\"kind\":\"haproxy\",\"lb\":{\"state\":\"NOLB\",\"checks\":null,\"name\":\"be/app\",\"node\":\"lb1\","
                + "\"weight\":\"0/1\",\"scur\":\"2/10\",\"sessions\":2}}]}\n",
                Output.statsJson(STATS));
    }
}
