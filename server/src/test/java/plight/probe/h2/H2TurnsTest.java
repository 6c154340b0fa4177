package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import plight.config.GrpcSettings;
import plight.probe.ProbeListener;
import plight.testkit.RawHttp;

/** An HTTP/2 connection flooding requests shares the event loop with new probes, as HTTP/1 pipelines do. */
class H2TurnsTest {
    private static final int REQUESTS = 2000;

    @Test
    void aProbeOnANewConnectionIsAnsweredBetweenTheAnswersOfAnHttp2Flood() throws Exception {
        AtomicInteger h2Answered = new AtomicInteger();
        AtomicInteger h2AnsweredBeforeProbe = new AtomicInteger(-1);
        AtomicInteger probePort = new AtomicInteger();
        AtomicInteger probesAnswered = new AtomicInteger();
        CountDownLatch floodStarted = new CountDownLatch(1);
        CountDownLatch bothSent = new CountDownLatch(1);
        ProbeListener listener = (remote, state) -> {
            if (remote.getPort() == probePort.get()) {
                if (probesAnswered.incrementAndGet() == 2) {
                    h2AnsweredBeforeProbe.set(h2Answered.get());
                }
            } else if (h2Answered.incrementAndGet() == 1) {
                // Holds the event loop at the flood's first answer until the probe is sent too, so that which goes
                // first is decided by the server, not by when the bytes arrive.
                floodStarted.countDown();
                try {
                    bothSent.await(RawH2.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (H2TestServer server = H2TestServer.start(new GrpcSettings(List.of(), false), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 1000, listener);
             RawHttp probe = new RawHttp(server.port());
             RawH2 h2 = new RawH2(server.port(), 1 << 20)) {
            // The probe's connection is accepted and answered once first: only its next request races the flood.
            probePort.set(probe.socket.getLocalPort());
            assertEquals(200, probe.send(RawHttp.GET).read().code());
            h2.start();
            h2.send(gets(REQUESTS)); // one write
            assertTrue(floodStarted.await(RawH2.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
            probe.send(RawHttp.GET);
            bothSent.countDown();

            assertEquals(200, probe.read().code());
            int before = h2AnsweredBeforeProbe.get();
            // The flood's frames (one GET each) of at most two turns go before it, not whole reads (hundreds): the
            // turn of the read that brought them, then the one the loop runs before its next I/O, which reads the probe.
            assertTrue(before >= 1 && before <= 2 * H2Connection.MAX_FRAMES_PER_TURN,
                    "HTTP/2 answers before the probe's: " + before + " of " + REQUESTS);
        }
    }

    /**
     * A burst of new HTTP/2 connections is set up a few per turn of the event loop, through the same queue: a probe
     * whose bytes arrive with theirs is answered before most of them. Before, each connection was set up (handler,
     * HPACK, SETTINGS) and answered in the read that brought its preface, all 100 ahead of the probe.
     */
    @Test
    void aBurstOfNewHttp2ConnectionsIsSetUpAFewPerTurnAndAProbeArrivingWithThemGoesFirst() throws Exception {
        int connections = 100;
        AtomicInteger h2Answered = new AtomicInteger();
        AtomicInteger h2AnsweredBeforeProbe = new AtomicInteger(-1);
        AtomicInteger probePort = new AtomicInteger();
        AtomicInteger blockerPort = new AtomicInteger();
        AtomicInteger probesAnswered = new AtomicInteger();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch allSent = new CountDownLatch(1);
        ProbeListener listener = (remote, state) -> {
            if (remote.getPort() == probePort.get()) {
                if (probesAnswered.incrementAndGet() == 2) {
                    h2AnsweredBeforeProbe.set(h2Answered.get());
                }
            } else if (remote.getPort() == blockerPort.get()) {
                // Holds the event loop until every connection's bytes are in, so that the server decides the order.
                blocked.countDown();
                try {
                    allSent.await(RawH2.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                h2Answered.incrementAndGet();
            }
        };
        List<RawH2> h2 = new java.util.ArrayList<>();
        try (H2TestServer server = H2TestServer.start(new GrpcSettings(List.of(), false), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 1000, listener);
             RawHttp probe = new RawHttp(server.port());
             RawHttp blocker = new RawHttp(server.port())) {
            probePort.set(probe.socket.getLocalPort());
            blockerPort.set(blocker.socket.getLocalPort());
            // Every connection is accepted first (a part of the preface, so that the kernel hands it over at once).
            byte[] preface = plight.probe.Http2Switch.PREFACE;
            for (int i = 0; i < connections; i++) {
                RawH2 c = new RawH2(server.port());
                h2.add(c);
                c.send(java.util.Arrays.copyOf(preface, 10));
            }
            probe.send(RawHttp.GET);
            assertEquals(200, probe.read().code());
            plight.testkit.Await.until(() -> server.server.openConnections() == connections + 2,
                    Duration.ofSeconds(10), "all connections accepted");
            blocker.send(RawHttp.GET);
            assertTrue(blocked.await(RawH2.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(preface, 10, preface.length - 10);
            rest.writeBytes(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // SETTINGS, empty
            rest.writeBytes(gets(1));
            for (RawH2 c : h2) {
                c.send(rest.toByteArray());
            }
            probe.send(RawHttp.GET); // last: the kernel reports it ready after all of them
            allSent.countDown();

            assertEquals(200, probe.read().code());
            int before = h2AnsweredBeforeProbe.get();
            // At most the setups of two turns (Turns' 512 answers a turn, SETUP_COST each) go before it.
            assertTrue(before >= 0 && before <= 2 * 512 / H2Server.SETUP_COST,
                    "HTTP/2 connections set up and answered before the probe: " + before + " of " + connections);
            for (RawH2 c : h2) {
                assertEquals("HEADERS 1 :status=200", c.until("HEADERS"));
            }
        } finally {
            for (RawH2 c : h2) {
                c.close();
            }
        }
    }

    /** {@code n} GETs of {@code /}, each a HEADERS frame ending its stream, on streams 1, 3, 5, ... */
    private static byte[] gets(int n) {
        // HPACK: :method GET, :path /, :scheme http (static table), :authority "lb" (literal, not indexed).
        byte[] block = {(byte) 0x82, (byte) 0x84, (byte) 0x86, 0x01, 0x02, 'l', 'b'};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            int stream = 2 * i + 1;
            out.write(0);
            out.write(0);
            out.write(block.length);
            out.write(0x1); // HEADERS
            out.write(0x5); // END_STREAM | END_HEADERS
            out.write(stream >>> 24);
            out.write(stream >>> 16);
            out.write(stream >>> 8);
            out.write(stream);
            out.writeBytes(block);
        }
        return out.toByteArray();
    }
}
