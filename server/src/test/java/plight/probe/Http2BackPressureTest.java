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
    /**
     * The server decodes one frame at a time and none once the channel is not writable, so what it queues is at
     * most the high-water mark plus the answer to one frame: here a GET's HEADERS and DATA frames, three buffers of a
     * few dozen bytes, each counted by Netty with 96 bytes of overhead (ChannelOutboundBuffer), under 1 KiB.
     * (Without that, one read of ProbeServer.MAX_READ bytes holds ~600 GETs, answered in full.)
     */
    private static final int ONE_ANSWER = 1024;

    @Test
    void anHttp2ClientThatNeverReadsIsNotReadFromEither() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        try (TestServer server = TestServer.builder().http2().listener((remote, state) -> answered.incrementAndGet()).start();
             RawH2 h2 = new RawH2(server.port(), 4096)) {
            h2.start();
            Thread writer = new Thread(() -> {
                try {
                    // More than the buffers hold (each GET is a dozen bytes, each answer two dozen), and more streams
                    // than the connection's flow-control window lets the server answer.
                    for (int i = 0; i < 30_000 && !Thread.currentThread().isInterrupted(); i++) {
                        h2.get(1 + 2 * i);
                    }
                } catch (IOException ignored) {
                    // the test closed the socket
                }
            }, "never-reading h2 client");
            writer.setDaemon(true);
            writer.start();
            // Either the kernel's buffers fill and the server stops reading, or (where the kernel keeps taking
            // tiny segments) the answers exhaust the client's window, its further streams are refused, and past
            // the limit on refusals the connection is closed.
            Await.until(() -> stoppedOrClosed(server.server.connections()), Duration.ofSeconds(60),
                    "the server stops reading the client that does not read, or closes it");
            for (Channel ch : server.server.connections()) {
                long queued = ch.unsafe().outboundBuffer() == null ? 0 : ch.unsafe().outboundBuffer().totalPendingWriteBytes();
                assertTrue(queued <= ProbeServer.WATER_MARK.high() + ONE_ANSWER, queued + " bytes queued for a client that does not read");
            }
            assertTrue(answered.get() < 30_000, answered.get() + " answers for a client that reads none");
            try (RawHttp probe = new RawHttp(server.port())) {
                assertEquals(200, probe.get().code(), "HTTP/1 probes are answered meanwhile");
            }
            writer.interrupt();
        }
    }

    private static boolean stoppedOrClosed(Set<Channel> channels) {
        return channels.isEmpty() || !channels.iterator().next().config().isAutoRead();
    }
}
