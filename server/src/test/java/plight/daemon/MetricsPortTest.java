package plight.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.metrics.MetricsServer;
import plight.testkit.Ports;
import plight.testkit.RawHttp;

/**
 * The metrics port against scrapers that misbehave: it answers or closes within the probe port's timeouts, and
 * no number of slow or idle connections keeps a new scrape out.
 */
@Timeout(60)
class MetricsPortTest {
    private static final String SCRAPE = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path dir;

    private LiveNode start(String requestTimeout, String idleTimeout) throws Exception {
        return LiveNode.start(dir, LiveNode.CONF.replace("[webserver]\n", "[webserver]\nrequest_timeout = " + requestTimeout
                + "\nidle_timeout = " + idleTimeout + "\n") + "[metrics]\nhost = 127.0.0.1\nport = " + Ports.free() + "\n");
    }

    private static int metricsPort(LiveNode node) {
        return node.daemon.metricsPorts().get(0);
    }

    @Test
    void aHeadTrickledOneLineAtATimeIsAnswered408AtTheRequestTimeoutAndClosed() throws Exception {
        try (LiveNode node = start("1s", "60s"); RawHttp trickle = new RawHttp(metricsPort(node))) {
            trickle.send("GET /metrics HTTP/1.1\r\n");
            Thread sender = new Thread(() -> {
                try {
                    // Each line well inside the timeout, the head never complete: only a deadline on the whole head cuts it.
                    for (int i = 0; i < 100; i++) {
                        trickle.send("X-Trickle: " + i + "\r\n");
                        TimeUnit.MILLISECONDS.sleep(200);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the daemon closed it, as it should
                }
            });
            sender.setDaemon(true);
            sender.start();
            RawHttp.Response r = trickle.read();
            assertEquals(408, r.code(), r::toString);
            assertEquals("close", r.header("Connection"));
            assertTrue(trickle.closedByServer());
            sender.interrupt();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (LiveNode node = start("5s", "1s"); RawHttp scraper = new RawHttp(metricsPort(node))) {
            assertEquals(200, scraper.send(SCRAPE).read().code());
            assertTrue(scraper.closedByServer(), "closed within RawHttp's read timeout, after idle_timeout");
        }
    }

    @Test
    void heldHalfSentHeadsBeyondTheCapDoNotKeepAScrapeOutTheOldestIdleConnectionGoesFirst() throws Exception {
        try (LiveNode node = start("60s", "60s")) {
            int port = metricsPort(node);
            List<RawHttp> held = new ArrayList<>();
            try {
                for (int i = 0; i < MetricsServer.MAX_CONNECTIONS - 1; i++) {
                    held.add(new RawHttp(port).send("GET /metrics HTTP/1.1\r\n"));
                }
                RawHttp idle = new RawHttp(port);
                held.add(idle);
                assertEquals(200, idle.send(SCRAPE).read().code(), "a scrape while there is room");
                // The cap is reached: a new scrape takes the idle keep-alive connection's place, not a held head's.
                try (RawHttp scraper = new RawHttp(port)) {
                    assertEquals(200, scraper.send(SCRAPE).read().code());
                }
                assertTrue(idle.closedByServer(), "the idle connection made room");
                assertEquals(200, held.get(0).send("Host: x\r\n\r\n").read().code(), "the oldest held head was kept");

                // Only requests in progress left: more scrapes than the cap, each one served, the oldest going first.
                for (int i = 0; i < MetricsServer.MAX_CONNECTIONS + 10; i++) {
                    held.add(new RawHttp(port).send("GET /metrics HTTP/1.1\r\n"));
                }
                try (RawHttp scraper = new RawHttp(port)) {
                    assertEquals(200, scraper.send(SCRAPE).read().code());
                }
                assertTrue(held.get(1).closedByServer(), "the oldest connection made room");
            } finally {
                for (RawHttp h : held) h.close();
            }
        }
    }

    @Test
    void aRequestWithABodyIsRefusedAtOnceNotAwaited() throws Exception {
        try (LiveNode node = start("60s", "60s")) {
            try (RawHttp post = new RawHttp(metricsPort(node))) {
                // A chunked body that never ends: the answer must not wait for it.
                RawHttp.Response r = post.send("POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n").read();
                assertEquals(405, r.code(), r::toString);
                assertEquals("GET, HEAD", r.header("Allow"));
                assertTrue(post.closedByServer(), "the body is not read: the connection closes");
            }
            try (RawHttp get = new RawHttp(metricsPort(node))) {
                RawHttp.Response r = get.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc").read();
                assertEquals(400, r.code(), r::toString);
                assertTrue(get.closedByServer());
            }
        }
    }

    @Test
    void acceptEncodingIsReadCaseInsensitivelyWithQValuesAndAnswersVaryOnAcceptAndAcceptEncoding() throws Exception {
        try (LiveNode node = start("5s", "60s")) {
            for (String gzip : List.of("GZIP", "gzip", "deflate, GZip;Q=0.5", "*", "br;q=1.0, gzip ; q=0.001", "x-gzip")) {
                RawHttp.Response r = scrapeWith(node, gzip);
                assertEquals("gzip", r.header("Content-Encoding"), gzip);
                assertEquals("Accept, Accept-Encoding", r.header("Vary"), gzip);
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
                    assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("# TYPE plight_state gauge"), gzip);
                }
            }
            for (String plain : List.of("gzip;q=0", "GZIP; q=0.000", "identity", "deflate", "gzip;q=0, *", "*;q=0")) {
                RawHttp.Response r = scrapeWith(node, plain);
                assertNull(r.header("Content-Encoding"), plain);
                assertEquals("Accept, Accept-Encoding", r.header("Vary"), plain);
                assertTrue(r.bodyText().contains("# TYPE plight_state gauge"), plain);
            }
            try (RawHttp h = new RawHttp(metricsPort(node))) {
                RawHttp.Response r = h.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertNull(r.header("Content-Encoding"));
                assertEquals("Accept, Accept-Encoding", r.header("Vary"));
            }
        }
    }

    private static RawHttp.Response scrapeWith(LiveNode node, String acceptEncoding) throws IOException {
        try (RawHttp h = new RawHttp(metricsPort(node))) {
            RawHttp.Response r = h.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " + acceptEncoding + "\r\n\r\n").read();
            assertEquals(200, r.code(), acceptEncoding);
            return r;
        }
    }

    @Test
    void anHttp2PrefaceIsRefusedInHttp1AndClosed() throws Exception {
        try (LiveNode node = start("5s", "60s"); RawHttp h2 = new RawHttp(metricsPort(node))) {
            String answer = new String(h2.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").readToEnd(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 505 "), answer);
            assertFalse(answer.contains("HTTP/2.0"), answer);
        }
    }
}
