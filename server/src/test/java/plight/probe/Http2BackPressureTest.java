package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import plight.probe.h2.RawH2;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/**
 * An HTTP/2 client that sends requests and never reads the answers holds no more of the daemon than an HTTP/1
 * one: once its answers fill the write buffer, its connection is no longer read, and HTTP/1 probes are
 * answered meanwhile.
 */
class Http2BackPressureTest {
    @Test
    void anHttp2ClientThatNeverReadsIsNotReadFromEither() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        try (TestServer server = TestServer.builder().http2().listener((remote, state) -> answered.incrementAndGet()).start();
             RawH2 h2 = new RawH2(server.port(), 4096)) {
            h2.start();
            Thread writer = new Thread(() -> {
                try {
                    // Far more than the buffers hold: each GET is a dozen bytes, each answer two dozen.
                    for (int i = 0; i < 500_000 && !Thread.currentThread().isInterrupted(); i++) {
                        h2.get(1 + 2 * i);
                    }
                } catch (IOException ignored) {
                    // the test closed the socket
                }
            }, "never-reading h2 client");
            writer.setDaemon(true);
            writer.start();
            Await.until(() -> notReading(server.server.connections()), Duration.ofSeconds(30),
                    "the server stops reading the client that does not read");
            Channel ch = server.server.connections().iterator().next();
            long queued = ch.unsafe().outboundBuffer() == null ? 0 : ch.unsafe().outboundBuffer().totalPendingWriteBytes();
            assertTrue(queued < 2 * ProbeServer.WATER_MARK.high(), queued + " bytes queued for a client that does not read");
            int before = answered.get();
            assertTrue(before < 100_000, before + " answers made for a client that reads none of them");
            try (RawHttp probe = new RawHttp(server.port())) {
                assertEquals(200, probe.get().code());
            }
            assertEquals(before + 1, answered.get(), "only the HTTP/1 probe was answered meanwhile");
            writer.interrupt();
        }
    }

    private static boolean notReading(Set<Channel> channels) {
        return channels.size() == 1 && !channels.iterator().next().config().isAutoRead();
    }
}
