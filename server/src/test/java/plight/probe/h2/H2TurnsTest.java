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
