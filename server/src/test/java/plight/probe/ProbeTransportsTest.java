package plight.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import plight.probe.h2.RawH2;
import plight.testkit.Await;
import plight.testkit.RawHttp;
import plight.testkit.RawHttp.Response;

/**
 * The core of SPEC "Probe port (HTTP)" on each transport ({@code [webserver] transport}): keep-alive, pipelining,
 * closing without a reset, end of input, errors, the request timeout, connection set-up. The whole contract runs
 * on the default transport in {@link ProbeHttpTest} and {@link ProbeLimitsTest}.
 */
class ProbeTransportsTest {
    private static final Duration SHORT = Duration.ofMillis(400);

    private static TestServer start(Transport transport) throws IOException {
        assumeTrue(Transport.Availability.ofThisMachine().unavailable(transport) == null,
                () -> transport + " is not available here: " + Transport.Availability.ofThisMachine().unavailable(transport));
        TestServer server = TestServer.builder().transport(transport).requestTimeout(SHORT).start();
        assertEquals(transport.configName(), server.server.transportName());
        return server;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void keepAlivePipelinedAndHeadRequestsAreAnsweredInOrderUntilEndOfInput(Transport transport) throws IOException {
        try (TestServer server = start(transport); RawHttp c = server.connect()) {
            for (int i = 0; i < 3; i++) {
                Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertEquals(200, r.code());
                assertNull(r.header("Connection"));
            }
            c.send("GET /a HTTP/1.1\r\n\r\nHEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n").shutdownOutput();
            assertEquals("OK\n", c.read().bodyText());
            assertEquals("keep-alive", c.read(true).header("Connection"));
            assertEquals(200, c.read().code());
            assertArrayEquals(new byte[0], c.readToEnd());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aClosingRequestIsAnsweredThenClosedWithoutAResetWhateverFollows(Transport transport) throws IOException {
        try (TestServer server = start(transport)) {
            try (RawHttp c = server.connect()) {
                Response r = c.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").read();
                assertEquals("close", r.header("Connection"));
                assertTrue(c.closedByServer());
            }
            try (RawHttp c = server.connect()) {
                c.send("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.0\r\n\r\nGET / HTTP/1.1\r\n\r\n");
                c.read();
                c.read();
                // Lingering close: our side is shut, the client sees the end of the answers, not a reset.
                assertArrayEquals(new byte[0], c.readToEnd());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void malformedRequestsAre400AndAnUnfinishedHeadIs408(Transport transport) throws IOException {
        try (TestServer server = start(transport)) {
            try (RawHttp c = server.connect()) {
                assertEquals(400, c.send("GET / HTTP/1.1\r\nno colon here\r\n\r\n").read().code());
                assertTrue(c.closedByServer());
            }
            try (RawHttp c = server.connect()) {
                assertEquals(405, c.send("DELETE / HTTP/1.1\r\n\r\n").read().code());
                assertTrue(c.closedByServer());
            }
            try (RawHttp c = server.connect()) {
                assertEquals(408, c.send("GET / HTTP/1.1\r\n").read().code());
            }
            // Connected and silent: closed after the request timeout (the kernel's accept deferral counted in).
            try (RawHttp c = server.connect()) {
                assertTrue(c.closedByServer());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void manyConnectionsInARowAreServedOnSeveralEventLoops(Transport transport) throws IOException {
        assumeTrue(Transport.Availability.ofThisMachine().unavailable(transport) == null);
        try (TestServer server = TestServer.builder().transport(transport).threads(2).start()) {
            for (int i = 0; i < 100; i++) {
                try (RawHttp c = server.connect()) {
                    assertEquals(200, c.send(i % 2 == 0 ? "GET / HTTP/1.0\r\n\r\n" : "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
                            .read().code());
                    assertTrue(c.closedByServer());
                }
            }
            Await.until(() -> server.server.openConnections() == 0, Duration.ofSeconds(5), "all connections closed");
        }
    }

    /** SPEC "Probe port (HTTP/2 and gRPC)": prior knowledge is decided by the first bytes, whatever reads them. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void anHttp2PriorKnowledgeGetIsAnsweredWithStatus200(Transport transport) throws IOException {
        assumeTrue(Transport.Availability.ofThisMachine().unavailable(transport) == null);
        try (TestServer server = TestServer.builder().transport(transport).http2().start();
             RawH2 h2 = new RawH2(server.port())) {
            assertEquals(transport.configName(), server.server.transportName());
            h2.start().get(1);
            assertEquals("HEADERS 1 :status=200", h2.until("HEADERS"));
            assertEquals("DATA 1 3 end last=10", h2.until("DATA"));
        }
    }

    // Back-pressure per connection: the kernel may hold only a little of what a client does not read.
    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptedConnectionsHaveNagleOffAndASmallSendBuffer(Transport transport) throws IOException {
        try (TestServer server = start(transport); RawHttp c = server.connect()) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\n\r\n").read().code());
            Channel accepted = server.server.connections().iterator().next();
            assertTrue(accepted.config().getOption(ChannelOption.TCP_NODELAY), transport.name());
            int sendBuffer = accepted.config().getOption(ChannelOption.SO_SNDBUF);
            // Linux reports twice what was set (its bookkeeping); autotuned, it would be megabytes.
            assertTrue(sendBuffer <= 2 * ProbeServer.SEND_BUFFER, transport + ": SO_SNDBUF " + sendBuffer);
        }
    }
}
