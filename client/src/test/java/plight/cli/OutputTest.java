package plight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import plight.control.Reply;

/** {@code stats} as printed from the daemon's reply, the source lines read through SourceLine. */
class OutputTest {
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
                + "  10.0.0.8  other  last seen 2024-05-01T10:00:01Z  every 0 ms  served enabled x1\n"
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
