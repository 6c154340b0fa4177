package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import plight.config.GrpcSettings;
import plight.probe.ProbeListener;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/**
 * Review (s18, second pass): HTTP/2 connections that end in odd states (reset during the setup in turns, reset
 * with a watch, refused a watch and still sending after GOAWAY, a client GOAWAY followed by more streams, half a
 * frame) leave every count where it started: HTTP/2 connections, streams, watches, watching connections and the
 * probe port's open connections all back to 0, and a watch and a Check still answered afterwards.
 */
class H2ChurnReviewTest {
    private static final GrpcSettings NO_SERVICES = new GrpcSettings(List.of(), false);
    private static final byte[] EMPTY_REQUEST = {0, 0, 0, 0, 0};

    private H2TestServer server;
    private final List<RawH2> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawH2 c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Http2Headers grpc(String method) {
        return RawH2.request("POST", "/grpc.health.v1.Health/" + method).set("content-type", "application/grpc")
                .set("te", "trailers");
    }

    private RawH2 connect(String source) throws Exception {
        return new RawH2(server.port(), 0, source);
    }

    private static void reset(RawH2 c) throws Exception {
        c.socket.setSoLinger(true, 0);
        c.close();
    }

    private static byte[] goaway() {
        return new byte[8]; // last stream 0, NO_ERROR
    }

    @Test
    void connectionsEndingInOddStatesLeaveNoCountBehind() throws Exception {
        // 8 HTTP/2 slots: 4 may watch, 2 per address. A long request timeout: lingering closes are the client's to end.
        server = H2TestServer.start(NO_SERVICES, Duration.ofSeconds(30), Duration.ofSeconds(60), 1000,
                ProbeListener.NONE, new H2Server.Limits(8, 100, 100));
        String[] sources = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
        for (int round = 0; round < 40; round++) {
            String source = sources[round % sources.length];
            // 1. reset right after the preface: it may still wait in Turns for its setup
            RawH2 a = connect(source);
            a.preface();
            reset(a);
            // 2. a watch, then a reset
            RawH2 b = connect(source).start();
            b.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
            b.until("HEADERS 1");
            reset(b);
            // 3. two watchers from one address hold its share; a third is refused (GOAWAY) and keeps sending
            RawH2 w1 = connect(source).start();
            w1.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
            w1.until("HEADERS 1");
            RawH2 w2 = connect(source).start();
            w2.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
            w2.until("HEADERS 1");
            RawH2 refused = connect(source).start();
            refused.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
            refused.until("GOAWAY");
            for (int s = 3; s < 40; s += 2) {
                refused.headers(s, grpc("Watch"), false).data(s, EMPTY_REQUEST, true).ping(s);
            }
            // 4. the client's GOAWAY, then more streams anyway
            RawH2 g = connect(source).start();
            g.get(1);
            g.until("HEADERS 1");
            g.frame((byte) 7, 0, goaway());
            g.headers(3, grpc("Watch"), false).data(3, EMPTY_REQUEST, true).get(5);
            // 5. half a frame header, then gone
            RawH2 h = connect(source).start();
            h.send(new byte[] {0, 0, 9});
            if (round % 2 == 0) {
                reset(refused);
                reset(g);
                reset(h);
            } else {
                refused.close();
                g.close();
                h.close();
            }
            w1.close();
            reset(w2);
        }
        try {
            Await.until(() -> Arrays.equals(server.http2.counts(), new int[] {0, 0, 0, 0})
                    && server.server.openConnections() == 0, Duration.ofSeconds(20), "every count back to 0");
        } finally {
            System.out.println("counts (h2 connections, streams, watches, watching) " + Arrays.toString(server.http2.counts())
                    + ", open connections " + server.server.openConnections());
        }

        RawH2 watch = connect("127.0.0.2").start();
        open.add(watch);
        watch.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
        assertEquals("HEADERS 1 :status=200", watch.until("HEADERS 1"));
        RawH2 check = connect("127.0.0.5").start();
        open.add(check);
        check.headers(1, grpc("Check"), false).data(1, EMPTY_REQUEST, true);
        assertEquals("HEADERS 1 :status=200", check.until("HEADERS 1"));
        assertEquals(200, RawHttp.once(server.port()).code());
    }

    /**
     * Finding 2: a connection refused its watch is closed with GOAWAY and its HTTP/2 handler removed while the
     * close lingers; a client that then resets it makes the read error reach the end of the pipeline, which Netty
     * logs as a warning (in the daemon: one application-log WARN line per connection, no rate limit). Counted
     * here through java.util.logging, Netty's logger in tests.
     */
    @Test
    @Disabled("review2-s18 finding 2: fails until the lingering close handles (swallows) read errors")
    void aRefusedWatchConnectionResetByItsClientLogsNothing() throws Exception {
        java.util.concurrent.atomic.AtomicInteger unhandled = new java.util.concurrent.atomic.AtomicInteger();
        java.util.logging.Logger pipelineLog = java.util.logging.Logger.getLogger("io.netty.channel.DefaultChannelPipeline");
        java.util.logging.Handler counter = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                unhandled.incrementAndGet();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        pipelineLog.addHandler(counter);
        try {
            server = H2TestServer.start(NO_SERVICES, Duration.ofSeconds(30), Duration.ofSeconds(60), 1000,
                    ProbeListener.NONE, new H2Server.Limits(4, 100, 100)); // 1 watching connection per address
            RawH2 holder = connect("127.0.0.2").start();
            open.add(holder);
            holder.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
            assertEquals("HEADERS 1 :status=200", holder.until("HEADERS 1"));
            for (int i = 0; i < 20; i++) {
                RawH2 refused = connect("127.0.0.2").start();
                refused.headers(1, grpc("Watch"), false).data(1, EMPTY_REQUEST, true);
                assertEquals("GOAWAY 0", refused.until("GOAWAY"));
                refused.ping(i); // still sending after GOAWAY
                reset(refused);
            }
            Await.until(() -> server.http2.counts()[0] == 1 && server.server.openConnections() == 1, Duration.ofSeconds(10),
                    "the refused connections gone");
            assertEquals(0, unhandled.get(), "read errors that reached the end of the pipeline (each a WARN line in the daemon)");
        } finally {
            pipelineLog.removeHandler(counter);
        }
    }
}
