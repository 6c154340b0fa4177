package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import plight.control.LbView;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/** The probe-source table: the prober's kind, the LB's own view, and when a source confirms a state. */
class ProbeSourcesTest {
    private static final String NOLB = "NOLB; address=127.0.0.1; port=80; name=be/app; node=lb1; weight=0/1; scur=2/5; qcur=0";

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ProbeSources sources = new ProbeSources(clock::get);

    private static InetSocketAddress from(String ip) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), 40000);
    }

    @Test
    void headersOfARealRequestReachTheTableKindAndView() throws IOException {
        try (TestServer server = TestServer.builder().listener(sources).start(); RawHttp c = server.connect()) {
            c.send("GET / HTTP/1.1\r\nUser-Agent: kube-probe/1.29\r\nX-Haproxy-Server-State: " + NOLB + "\r\n\r\n").read();
            Await.until(() -> sources.snapshot().size() == 1, Duration.ofSeconds(5), "one source");
            ProbeSources.Seen s = sources.snapshot().get(0);
            assertEquals("haproxy", s.kind(), "send-state says HAProxy whatever the User-Agent");
            assertEquals(LbView.parse(NOLB), s.view());
            assertEquals(2, s.view().sessions());
        }
    }

    @Test
    void eitherHeaderAloneIsCapturedAsHaproxySendsIt() throws IOException {
        try (TestServer server = TestServer.builder().listener(sources).start()) {
            try (RawHttp c = server.connect()) {
                // HAProxy's own check request: no User-Agent, the header in lower case.
                c.send("GET / HTTP/1.0\r\nx-haproxy-server-state: UP 1/3; address=127.0.0.1; port=80; name=be/app; node=vm; "
                        + "weight=1/1; scur=0/0; qcur=0\r\n\r\n").read();
            }
            Await.until(() -> sources.snapshot().size() == 1 && sources.snapshot().get(0).view() != null, Duration.ofSeconds(5),
                    "the view");
            assertEquals("UP 1/3", sources.snapshot().get(0).view().describe());
            try (RawHttp c = server.connect()) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: Envoy/HC\r\nConnection: close\r\n\r\n").read();
            }
            Await.until(() -> "envoy".equals(sources.snapshot().get(0).kind()), Duration.ofSeconds(5), "the kind from User-Agent alone");
        }
    }

    @Test
    void kindFromUserAgent() {
        assertEquals("kube-probe", ProbeSources.kind("kube-probe/1.29", null));
        assertEquals("envoy", ProbeSources.kind("Envoy/HC", null));
        assertEquals("haproxy", ProbeSources.kind("HAProxy health check", null));
        assertEquals("grpc", ProbeSources.kind("grpc-go/1.60.1", null));
        assertEquals("grpc", ProbeSources.kind("grpc-java-netty/1.85.1", null));
        assertEquals("other", ProbeSources.kind("curl/8.0", null));
        assertEquals("haproxy", ProbeSources.kind(null, "UP"));
        assertNull(ProbeSources.kind(null, null));
    }

    @Test
    void aPlainSourceConfirmsAfterFallAnswersInARow() throws IOException {
        InetSocketAddress lb = from("10.0.0.1");
        sources.served(lb, TestStates.ENABLED);
        sources.served(lb, TestStates.DISABLED);
        sources.served(lb, TestStates.DISABLED);
        assertEquals(1, sources.progress(TestStates.DISABLED, 3, 60_000).lagging().size());
        sources.served(lb, TestStates.DISABLED);
        ProbeSources.Progress p = sources.progress(TestStates.DISABLED, 3, 60_000);
        assertEquals(1, p.confirmed().size());
        assertTrue(p.lagging().isEmpty());
        assertEquals("other", p.confirmed().get(0).kind());
    }

    @Test
    void aReportingSourceConfirmsOnItsSettledViewAfterBeingServedTheStateNotOnFall() throws IOException {
        InetSocketAddress lb = from("10.0.0.2");
        sources.served(lb, TestStates.ENABLED, null, "UP; name=be/app; node=lb1; weight=1/1; scur=0/0; qcur=0");
        // The first answer of the new state carries the view formed before it: no confirmation, whatever it says.
        sources.served(lb, TestStates.DISABLED, null, NOLB);
        assertFalse(sources.progress(TestStates.DISABLED, 1, 60_000).lagging().isEmpty());
        sources.served(lb, TestStates.DISABLED, null, "UP 2/3; name=be/app; node=lb1; weight=1/1; scur=0/0; qcur=0");
        sources.served(lb, TestStates.DISABLED, null, "UP 1/3; name=be/app; node=lb1; weight=1/1; scur=0/0; qcur=0");
        assertFalse(sources.progress(TestStates.DISABLED, 1, 60_000).lagging().isEmpty(), "fall does not apply; a transition is no view");
        sources.served(lb, TestStates.DISABLED, null, NOLB);
        assertTrue(sources.progress(TestStates.DISABLED, 3, 60_000).lagging().isEmpty());
        assertEquals("be/app", sources.progress(TestStates.DISABLED, 3, 60_000).confirmed().get(0).view().name());
    }

    @Test
    void agentChecksAreASourceOfTheirOwnNextToTheSameAddresssProbes() throws IOException {
        InetSocketAddress lb = from("10.0.0.3");
        sources.served(lb, TestStates.DISABLED);
        sources.agentServed(lb, TestStates.DISABLED);
        List<ProbeSources.Seen> seen = sources.snapshot();
        assertEquals(2, seen.size());
        assertEquals(List.of("agent", "other"), seen.stream().map(ProbeSources.Seen::kind).sorted().toList());
        sources.agentServed(lb, TestStates.DISABLED);
        sources.served(lb, TestStates.DISABLED);
        assertEquals(2, sources.progress(TestStates.DISABLED, 2, 60_000).confirmed().size());
    }

    @Test
    void sourcesOutsideTheWindowAreNeitherConfirmedNorLagging() throws IOException {
        sources.served(from("10.0.0.4"), TestStates.ENABLED);
        clock.addAndGet(61_000);
        ProbeSources.Progress p = sources.progress(TestStates.DISABLED, 3, 60_000);
        assertTrue(p.confirmed().isEmpty() && p.lagging().isEmpty());
    }

    @Test
    void aNewSourceInAFullTableEvictsTheLeastRecentlySeenOne() throws IOException {
        ProbeSources small = new ProbeSources(3, clock::get);
        small.served(from("10.0.1.1"), TestStates.ENABLED);
        clock.addAndGet(1_000);
        small.served(from("10.0.1.2"), TestStates.ENABLED);
        clock.addAndGet(1_000);
        small.served(from("10.0.1.3"), TestStates.ENABLED);
        clock.addAndGet(1_000);
        small.served(from("10.0.1.1"), TestStates.ENABLED); // seen again: now 10.0.1.2 is the stalest
        clock.addAndGet(1_000);

        small.served(from("10.0.2.1"), TestStates.ENABLED);

        assertEquals(List.of("10.0.2.1", "10.0.1.1", "10.0.1.3"),
                small.snapshot().stream().map(ProbeSources.Seen::address).toList());
        assertEquals(1, small.evicted());
    }

    @Test
    void aKnownSourceInAFullTableEvictsNothing() throws IOException {
        ProbeSources small = new ProbeSources(2, clock::get);
        small.served(from("10.0.1.1"), TestStates.ENABLED);
        small.served(from("10.0.1.2"), TestStates.ENABLED);
        clock.addAndGet(1_000);
        small.served(from("10.0.1.1"), TestStates.DISABLED);
        assertEquals(2, small.snapshot().size());
        assertEquals(0, small.evicted());
        assertEquals(2, small.snapshot().get(0).probes());
    }
}
