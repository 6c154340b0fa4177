package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import plight.config.GrpcSettings;
import plight.probe.ProbeListener;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/**
 * The daemon-wide bounds on HTTP/2 connections, streams and gRPC watches (set small here): beyond them HTTP/2
 * and gRPC are refused at once, and HTTP/1 probes are still answered.
 */
class H2CapsTest {
    private static final GrpcSettings NO_SERVICES = new GrpcSettings(List.of(), false);
    private static final byte[] EMPTY_REQUEST = {0, 0, 0, 0, 0};
    private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();

    private H2TestServer server;
    private final List<RawH2> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawH2 c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(int maxConnections, H2Server.Limits limits) throws Exception {
        start(maxConnections, limits, Duration.ofSeconds(5));
    }

    private void start(int maxConnections, H2Server.Limits limits, Duration requestTimeout) throws Exception {
        server = H2TestServer.start(NO_SERVICES, requestTimeout, Duration.ofSeconds(60), maxConnections,
                ProbeListener.NONE, limits);
    }

    private RawH2 connect() throws Exception {
        RawH2 c = new RawH2(server.port());
        clients.add(c);
        return c.start();
    }

    private static Http2Headers watch() {
        return RawH2.request("POST", "/grpc.health.v1.Health/Watch").set("content-type", "application/grpc")
                .set("te", "trailers");
    }

    /** Starts a watch on {@code stream}; returns the first answer's HEADERS event. */
    private static String watch(RawH2 c, int stream) throws Exception {
        c.headers(stream, watch(), false).data(stream, EMPTY_REQUEST, true);
        return c.until(e -> e.startsWith("HEADERS " + stream) || e.startsWith("GOAWAY") || e.startsWith("RST " + stream));
    }

    private void http1StillAnswers() throws Exception {
        assertEquals(200, RawHttp.once(server.port()).code());
    }

    @Test
    void anHttp2ConnectionOverTheLimitGetsGoawayAndAnUpgradeStaysHttp1() throws Exception {
        start(100, new H2Server.Limits(2, 100, 100));
        for (int i = 0; i < 2; i++) {
            RawH2 c = connect().get(1);
            assertEquals("HEADERS 1 :status=200", c.until("HEADERS"));
        }
        RawH2 third = connect();
        assertEquals("GOAWAY " + ENHANCE_YOUR_CALM, third.until("GOAWAY"));
        assertEquals("EOF", third.until("EOF"));
        try (RawHttp h = new RawHttp(server.port())) {
            h.send("GET / HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\n\r\n");
            assertEquals(200, h.read().code(), "answered in HTTP/1.1, not upgraded");
        }
        http1StillAnswers();

        clients.remove(0).close();
        Await.until(() -> server.http2.counts()[0] == 1, Duration.ofSeconds(10), "the closed connection counted out");
        RawH2 again = connect().get(1);
        assertEquals("HEADERS 1 :status=200", again.until("HEADERS"));
    }

    @Test
    void aWatchOverTheLimitEndsWithResourceExhaustedAndOthersGoOn() throws Exception {
        start(100, new H2Server.Limits(10, 100, 3));
        RawH2 a = connect();
        RawH2 b = connect();
        assertEquals("HEADERS 1 :status=200", watch(a, 1));
        assertEquals("HEADERS 3 :status=200", watch(a, 3));
        assertEquals("HEADERS 1 :status=200", watch(b, 1));
        assertEquals("HEADERS 3 end :status=200 grpc-status=8", watch(b, 3));
        http1StillAnswers();

        a.rst(3, Http2Error.CANCEL.code());
        Await.until(() -> server.http2.counts()[2] == 2, Duration.ofSeconds(10), "the cancelled watch counted out");
        assertEquals("HEADERS 5 :status=200", watch(b, 5));
        server.live.show(H2TestServer.DISABLED);
        assertEquals("DATA 1 7 last=2", a.until("DATA 1"), "the watches kept see the change");
    }

    @Test
    void aStreamOverTheLimitIsRefused() throws Exception {
        start(100, new H2Server.Limits(10, 2, 100));
        RawH2 c = connect();
        // GETs without END_STREAM: answered when they end, their streams open until then.
        c.headers(1, RawH2.request("GET", "/"), false).headers(3, RawH2.request("GET", "/"), false);
        Await.until(() -> server.http2.counts()[1] == 2, Duration.ofSeconds(10), "two streams open");
        c.get(5);
        assertEquals("RST 5 " + Http2Error.REFUSED_STREAM.code(), c.until(e -> e.startsWith("RST") || e.startsWith("HEADERS 5")));
        c.data(1, new byte[0], true);
        assertEquals("HEADERS 1 :status=200", c.until("HEADERS 1"));
        Await.until(() -> server.http2.counts()[1] == 1, Duration.ofSeconds(10), "the ended stream counted out");
        c.get(7);
        assertEquals("HEADERS 7 :status=200", c.until("HEADERS 7"));
    }

    @Test
    void watchConnectionsCannotTakeEveryConnectionSlotFromHttp1Probes() throws Exception {
        int maxConnections = 8;
        start(maxConnections, H2Server.Limits.forMaxConnections(maxConnections));
        int watching = 0;
        for (int i = 0; i < maxConnections; i++) {
            RawH2 c = connect();
            if (watch(c, 1).equals("HEADERS 1 :status=200")) {
                watching++;
            } else {
                // Refused (the watching share, or GOAWAY): closed by the client, as gRPC clients do after GOAWAY.
                clients.remove(c);
                c.close();
            }
        }
        assertEquals(1, watching, "a quarter of the HTTP/2 slots (half of max_connections) from one address");
        http1StillAnswers();
        http1StillAnswers();
    }

    private RawH2 connectFrom(String source) throws Exception {
        RawH2 c = new RawH2(server.port(), 0, source);
        clients.add(c);
        return c.start();
    }

    /** A Check on its own connection, as the kubelet asks: answers the first HEADERS or GOAWAY event. */
    private String checkOnANewConnection(String source) throws Exception {
        RawH2 c = connectFrom(source);
        c.headers(1, watch().path("/grpc.health.v1.Health/Check"), false).data(1, EMPTY_REQUEST, true);
        return c.until(e -> e.startsWith("HEADERS 1") || e.startsWith("GOAWAY"));
    }

    /**
     * Connections that hold watches take at most half of the HTTP/2 slots, whatever the clients: the kubelet's
     * connection per Check finds the other half free. Before, the watch connections of three clients held all 8
     * slots, and a fresh connection got GOAWAY.
     */
    @Test
    void connectionsHoldingWatchesLeaveHalfTheSlotsForChecksOnNewConnections() throws Exception {
        // A request timeout longer than the test: the closes below linger for up to that long.
        start(100, new H2Server.Limits(8, 100, 100), Duration.ofSeconds(60));
        List<String> answers = new ArrayList<>();
        List<RawH2> watchers = new ArrayList<>();
        for (String peer : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
            for (int i = 0; i < 2; i++) {
                RawH2 c = connectFrom(peer);
                watchers.add(c);
                answers.add(watch(c, 1));
            }
        }
        assertEquals(4, answers.stream().filter("HEADERS 1 :status=200"::equals).count(), answers.toString());
        assertEquals(2, answers.stream().filter("HEADERS 1 end :status=200 grpc-status=8"::equals).count(),
                answers.toString());
        // A connection refused its only watch is closed (GOAWAY): it would hold a slot idle until idle_timeout.
        // Its slot is free once the daemon has shut its side, also while the client keeps its end open (and the
        // close lingers for it up to request_timeout).
        for (int i = 0; i < watchers.size(); i++) {
            if (!answers.get(i).equals("HEADERS 1 :status=200")) {
                assertEquals("GOAWAY 0", watchers.get(i).until("GOAWAY"));
                assertEquals("EOF", watchers.get(i).until("EOF"));
            }
        }
        Await.until(() -> server.http2.counts()[0] == 4, Duration.ofSeconds(10), "the refused connections counted out");
        assertEquals(4, server.http2.counts()[3], "connections holding watches");

        // Four Checks at once, each on a connection of its own kept open, from a watcher's address too.
        for (String peer : List.of("127.0.0.1", "127.0.0.2", "127.0.0.5", "127.0.0.1")) {
            assertEquals("HEADERS 1 :status=200", checkOnANewConnection(peer));
        }
        server.live.show(H2TestServer.DISABLED);
        for (int i = 0; i < watchers.size(); i++) {
            if (answers.get(i).equals("HEADERS 1 :status=200")) {
                assertEquals("DATA 1 7 last=2", watchers.get(i).until("DATA 1 7 last=2"), "the watches kept see the change");
            }
        }
    }

    /**
     * One client address holds at most half of the watching share (a quarter of the slots): a client that opens
     * watch connections by the hundred leaves room for other clients' watches. Its connections leave the share
     * with their last watch.
     */
    @Test
    void oneClientAddressHoldsAtMostHalfOfTheWatchingShare() throws Exception {
        start(100, new H2Server.Limits(8, 100, 100));
        RawH2 first = connectFrom("127.0.0.2");
        assertEquals("HEADERS 1 :status=200", watch(first, 1));
        assertEquals("HEADERS 3 :status=200", watch(first, 3), "more watches on a watching connection");
        assertEquals("HEADERS 1 :status=200", watch(connectFrom("127.0.0.2"), 1));
        RawH2 third = connectFrom("127.0.0.2");
        assertEquals("HEADERS 1 end :status=200 grpc-status=8", watch(third, 1));
        assertEquals("GOAWAY 0", third.until("GOAWAY"));
        assertEquals("HEADERS 1 :status=200", watch(connectFrom("127.0.0.3"), 1), "another client's watch");
        assertEquals(3, server.http2.counts()[3]);

        first.rst(1, Http2Error.CANCEL.code());
        first.rst(3, Http2Error.CANCEL.code());
        Await.until(() -> server.http2.counts()[3] == 2, Duration.ofSeconds(10), "a connection without watches leaves the share");
        assertEquals("HEADERS 1 :status=200", watch(connectFrom("127.0.0.2"), 1));
        http1StillAnswers();
    }

    @Test
    void limitsFollowMaxConnections() {
        assertEquals(new H2Server.Limits(1000, 8192, 4096), H2Server.Limits.forMaxConnections(10_000));
        assertEquals(500, H2Server.Limits.DEFAULT.watchingConnections());
        assertEquals(250, H2Server.Limits.DEFAULT.watchingConnectionsPerPeer());
        assertEquals(0, H2Server.Limits.forMaxConnections(2).watchingConnections(), "no watches rather than no Checks");
        assertEquals(0, H2Server.Limits.forMaxConnections(2).watchingConnectionsPerPeer());
        assertEquals(1, H2Server.Limits.forMaxConnections(4).watchingConnectionsPerPeer());
        assertEquals(50, H2Server.Limits.forMaxConnections(100).connections());
        assertEquals(1, H2Server.Limits.forMaxConnections(1).connections());
        assertTrue(H2Server.Limits.forMaxConnections(1_000_000).connections() <= H2Server.Limits.MAX_CONNECTIONS);
    }
}
