package plight.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import plight.testkit.Await;
import plight.testkit.RawHttp.Response;
import plight.testkit.RawHttp;

/** SPEC "Probe port (HTTP)": time limits, connection limit, back-pressure and stopping. */
class ProbeLimitsTest {
    private static final Duration SHORT = Duration.ofMillis(400);

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    // "head not complete within request_timeout -> 408"
    @Test
    void partialHeadIsAnswered408AfterTheRequestTimeoutAndClosed() throws IOException {
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).start();
             RawHttp c = server.connect()) {
            long start = System.nanoTime();
            Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n").read();
            long elapsed = millisSince(start);
            assertEquals(408, r.code());
            assertEquals("HTTP/1.1", r.version());
            assertEquals("close", r.header("Connection"));
            assertTrue(elapsed >= SHORT.toMillis() - 50, "408 after " + elapsed + " ms");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void blankLinesAloneDoNotHoldAConnectionPastTheRequestTimeout() throws Exception {
        // An empty line every 100 ms: the decoder skips each, but they are no request.
        long elapsed = millisTo408WhileDribbling("\r\n", Collections.nCopies((int) (SHORT.toMillis() * 10 / 100), "\r\n"));
        // Restarted by each blank line, the timeout would end only after the dribbling: past 4 s.
        assertTrue(elapsed < SHORT.toMillis() * 5, "answered after " + elapsed + " ms");
    }

    /**
     * Sends {@code first}, then one piece of {@code pieces} every 100 ms, to a server with the {@link #SHORT}
     * request timeout; returns how long after the first byte the 408 came.
     */
    private static long millisTo408WhileDribbling(String first, List<String> pieces) throws Exception {
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).start();
             RawHttp c = server.connect()) {
            long start = System.nanoTime();
            c.send(first);
            AtomicBoolean stop = new AtomicBoolean();
            Thread dribbler = dribble(c, pieces, stop);
            try {
                assertEquals(408, c.read().code());
                return millisSince(start);
            } finally {
                stop.set(true);
                dribbler.join();
            }
        }
    }

    @Test
    void partialRequestLineIsAnswered408() throws IOException {
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).start();
             RawHttp c = server.connect()) {
            assertEquals(408, c.send("GET /hea").read().code());
        }
    }

    @Test
    void requestTimeoutCountsFromTheHeadsFirstByteNotItsLast() throws Exception {
        // Dribble one byte every 100 ms: a slow-loris head must not stretch the limit.
        long elapsed = millisTo408WhileDribbling("G", List.of("ET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa".split("")));
        // Counted from the last byte, the 408 would come only after the whole dribble: past 4 s.
        assertTrue(elapsed < SHORT.toMillis() * 5, "408 after " + elapsed + " ms");
    }

    @Test
    void connectionThatSendsNothingIsClosedSilentlyAfterTheRequestTimeout() throws IOException {
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).start();
             RawHttp c = server.connect()) {
            long start = System.nanoTime();
            assertArrayEquals(new byte[0], c.readToEnd());
            assertTrue(millisSince(start) >= SHORT.toMillis() - 50);
        }
    }

    @Test
    void headAnsweredWith408HasNoBody() throws IOException {
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).start();
             RawHttp c = server.connect()) {
            Response r = c.send("HEAD / HTTP/1.1\r\nHost: x\r\n").read(true);
            assertEquals(408, r.code());
            assertEquals(String.valueOf("Request Timeout\n".length()), r.header("Content-Length"));
            assertArrayEquals(new byte[0], c.readToEnd());
        }
    }

    // A timeout of whole seconds, as configured in practice: the kernel may hold a silent connection before
    // handing it over (TCP_DEFER_ACCEPT), and that time counts too.
    @Test
    void connectionThatSendsNothingIsClosedAtTheRequestTimeoutCountedFromConnecting() throws IOException {
        Duration timeout = Duration.ofSeconds(2);
        try (TestServer server = TestServer.builder().requestTimeout(timeout).start();
             RawHttp c = server.connect()) {
            long start = System.nanoTime();
            assertArrayEquals(new byte[0], c.readToEnd());
            long elapsed = millisSince(start);
            assertTrue(elapsed >= timeout.toMillis() - 100 && elapsed < timeout.toMillis() + 900,
                    "closed after " + elapsed + " ms");
        }
    }

    // The kernel's one-second deferral was credited against the timeout before the first read: with
    // request_timeout = 1s the timer fired before the request was read, and every connection was reset.
    @Test
    void aRequestTimeoutOfOneSecondAnswersRequestsSentAtOnce() throws IOException {
        try (TestServer server = TestServer.builder().requestTimeout(Duration.ofSeconds(1)).start()) {
            for (int i = 0; i < 20; i++) {
                try (RawHttp c = server.connect()) {
                    assertEquals(200, c.get().code(), "request " + i);
                }
            }
        }
    }

    @Test
    void eachRequestOnAConnectionGetsItsOwnRequestTimeout() throws IOException {
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).start();
             RawHttp c = server.connect()) {
            c.send("GET / HTTP/1.1\r\n");
            c.send("\r\nGET / HTTP/1.1\r\n");
            assertEquals(200, c.read().code());
            long start = System.nanoTime();
            assertEquals(408, c.read().code());
            assertTrue(millisSince(start) >= SHORT.toMillis() - 100);
        }
    }

    // "Idle keep-alive past idle_timeout -> closed."
    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        Duration idle = Duration.ofMillis(800);
        try (TestServer server = TestServer.builder().requestTimeout(SHORT).idleTimeout(idle).start();
             RawHttp c = server.connect()) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\n\r\n").read().code());
            long start = System.nanoTime();
            assertArrayEquals(new byte[0], c.readToEnd());
            long elapsed = millisSince(start);
            // The idle limit, not the shorter request limit, applies between requests.
            assertTrue(elapsed >= idle.toMillis() - 50 && elapsed < idle.toMillis() * 4, "closed after " + elapsed);
        }
    }

    @Test
    void activeKeepAliveConnectionOutlivesTheIdleTimeout() throws Exception {
        // A request every 100 ms, for twice the idle timeout: only a stall of 900 ms on a loaded machine would look idle.
        Duration idle = Duration.ofSeconds(1);
        try (TestServer server = TestServer.builder().idleTimeout(idle).start();
             RawHttp c = server.connect()) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, c.send("HEAD / HTTP/1.1\r\n\r\n").read(true).code(), "request " + i);
                Thread.sleep(idle.toMillis() / 10);
            }
        }
    }

    // "Connections beyond max_connections are closed at once."
    @Test
    void connectionsBeyondMaxConnectionsAreClosedAtOnce() throws IOException {
        try (TestServer server = TestServer.builder().maxConnections(2).start();
             RawHttp first = server.connect();
             RawHttp second = server.connect()) {
            assertEquals(200, first.send("GET / HTTP/1.1\r\n\r\n").read().code());
            assertEquals(200, second.send("GET / HTTP/1.1\r\n\r\n").read().code());
            assertEquals(2, server.server.openConnections());
            try (RawHttp third = server.connect()) {
                long start = System.nanoTime();
                try {
                    third.send("GET / HTTP/1.1\r\n\r\n");
                } catch (IOException alreadyClosed) {
                    // closed before our request was written: just as good
                }
                assertTrue(third.closedByServer(), "no answer, only the close");
                assertTrue(millisSince(start) < 1000);
            }
            first.close();
            Await.until(() -> server.server.openConnections() == 1, Duration.ofSeconds(5), "a slot to free up");
            try (RawHttp fourth = server.connect()) {
                assertEquals(200, fourth.send("GET / HTTP/1.1\r\n\r\n").read().code());
            }
            assertEquals(200, second.send("GET / HTTP/1.1\r\n\r\n").read().code());
        }
    }

    // "a client that pipelines and never reads is stopped by back-pressure"
    @Test
    void clientThatPipelinesAndNeverReadsIsStoppedThenFullyAnswered() throws Exception {
        byte[] batch = "GET / HTTP/1.1\r\n\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
        long limit = 2_000_000; // requests; ~340 MB of answers if the server kept reading
        try (TestServer server = TestServer.start();
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.setSendBufferSize(8 * 1024);
            RawHttp c = new RawHttp(RawHttp.connected(socket, new InetSocketAddress("127.0.0.1", server.port())));
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    while (written.get() < limit) {
                        out.write(batch);
                        written.addAndGet(100);
                    }
                } catch (IOException e) {
                    // socket closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();

            awaitStall(written);
            long sent = written.get();
            assertTrue(sent < limit, "the server kept reading: " + sent + " requests taken");
            Channel connection = server.server.connections().iterator().next();
            assertFalse(connection.config().isAutoRead(), "server still reading");
            assertFalse(connection.isWritable());

            // Reading the answers lets the server go on; every request is answered, in order, none lost.
            for (long i = 0; i < sent; i++) {
                assertEquals(200, c.read().code(), "answer " + i);
            }
            socket.close();
        }
    }

    /**
     * Issue 7 item 10: hundreds of clients that pipeline and never read must neither stall a prober that opens a
     * new connection per check nor exhaust the direct memory (the tests run with the daemon's 32 MiB, see
     * server/pom.xml). {@code -Dplight.test.pipeliners=N} changes how many; 600 is the target.
     */
    @Test
    void pipelinersThatNeverReadDoNotStallAProberOrExhaustMemory() throws Exception {
        int count = Integer.getInteger("plight.test.pipeliners", 300);
        List<LogRecord> nettyWarnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    nettyWarnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger netty = java.util.logging.Logger.getLogger("io.netty");
        netty.addHandler(capture);
        // PARANOID (the tests' level) takes a stack trace at every byte the decoder reads: hundreds of
        // connections would run a thousand times slower than in the daemon, which runs without leak detection.
        ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try (TestServer server = TestServer.start();
             Pipeliners pipeliners = new Pipeliners(new InetSocketAddress("127.0.0.1", server.port()), count)) {
            int checks = 0;
            // Probe while the pipeliners fill what the server lets them, until they are all held back.
            long last = -1;
            long unchangedSince = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (millisSince(unchangedSince) < 1000 && System.nanoTime() < deadline) {
                try (RawHttp prober = server.connect()) {
                    assertEquals(200, prober.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").read().code(),
                            "check " + checks);
                }
                checks++;
                long written = pipeliners.written();
                if (written != last) {
                    last = written;
                    unchangedSince = System.nanoTime();
                }
            }
            assertTrue(System.nanoTime() < deadline, "the pipeliners were never held back");
            for (int i = 0; i < 20; i++, checks++) {
                try (RawHttp prober = server.connect()) {
                    assertEquals(200, prober.send("GET / HTTP/1.0\r\n\r\n").read().code(), "check " + checks);
                }
            }
            assertEquals(0, pipeliners.closedByServer(), "pipeliners closed by the server");
            // Every pipeliner is still connected; the probers' connections are (being) closed.
            Await.until(() -> server.server.openConnections() == count, Duration.ofSeconds(5),
                    "the pipeliners alone to be connected, not " + server.server.openConnections());
            assertEquals(List.of(), server.errorReports);
            assertEquals(java.util.Map.of(), server.server.connectionErrors());
        } finally {
            ResourceLeakDetector.setLevel(leakDetection);
            netty.removeHandler(capture);
        }
        assertEquals(List.of(), nettyWarnings.stream().map(r -> r.getMessage() + " " + r.getThrown()).toList());
    }

    /** Waits until the writer has made no progress for a second. */
    private static void awaitStall(AtomicLong written) throws InterruptedException {
        long last = -1;
        long unchangedSince = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long now = written.get();
            if (now != last) {
                last = now;
                unchangedSince = System.nanoTime();
            } else if (millisSince(unchangedSince) > 1000) {
                return;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void closeAnswersWhatIsInFlightThenStopsAcceptingAndReturnsQuickly() throws Exception {
        TestServer server = TestServer.start();
        int port = server.port();
        try (RawHttp idle = server.connect(); RawHttp busy = server.connect()) {
            assertEquals(200, idle.send("GET / HTTP/1.1\r\n\r\n").read().code());
            busy.send("GET / HTTP/1.1\r\n\r\n".repeat(100));
            // The first answer shows the batch was read; the others are queued or on their way.
            assertEquals(200, busy.read().code());
            long start = System.nanoTime();
            server.close();
            assertTrue(millisSince(start) < 2000, "close took " + millisSince(start) + " ms");
            for (int i = 1; i < 100; i++) {
                assertEquals(200, busy.read().code());
            }
            assertTrue(busy.closedByServer());
            assertTrue(idle.closedByServer());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        }
    }

    @Test
    void bindsEveryConfiguredHostIncludingIpv6Literals() throws IOException {
        try (TestServer server = TestServer.builder().hosts("127.0.0.1", "[::1]").start()) {
            assertEquals(2, server.server.boundAddresses().size());
            for (InetSocketAddress bound : server.server.boundAddresses()) {
                try (RawHttp c = new RawHttp(bound)) {
                    assertEquals(200, c.send("GET / HTTP/1.1\r\n\r\n").read().code(), bound.toString());
                }
            }
        }
    }

    @Test
    void failingToBindNamesTheAddress() throws IOException {
        try (TestServer first = TestServer.start()) {
            var web = new plight.config.WebSettings(java.util.List.of("127.0.0.1"), first.port(), "p", "p",
                    new plight.config.LogSettings(java.nio.file.Path.of("/dev/null"), "off", 0, 0),
                    Duration.ofSeconds(60), Duration.ofSeconds(5), 10, 1);
            ProbeServer second = new ProbeServer(web, first.live, ProbeListener.NONE, AccessLog.OFF);
            IOException e = assertThrows(IOException.class, second::start);
            assertTrue(e.getMessage().contains("127.0.0.1 port " + first.port()), e.getMessage());
            second.close();
        }
    }

    @Test
    void severalEventLoopsServeManyConnections() throws Exception {
        try (TestServer server = TestServer.builder().threads(2).start()) {
            RawHttp[] clients = new RawHttp[8];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = server.connect();
            }
            for (int round = 0; round < 10; round++) {
                for (RawHttp c : clients) {
                    c.send("GET / HTTP/1.1\r\n\r\n");
                }
                for (RawHttp c : clients) {
                    assertEquals(200, c.read().code());
                }
            }
            for (RawHttp c : clients) {
                c.close();
            }
        }
    }

    /** Sends one chunk every 100 ms from a thread of its own, until the chunks run out, {@code stop} or the server closes. */
    private static Thread dribble(RawHttp c, List<String> chunks, AtomicBoolean stop) {
        Thread dribbler = new Thread(() -> {
            try {
                for (String chunk : chunks) {
                    if (stop.get()) {
                        return;
                    }
                    Thread.sleep(100);
                    c.send(chunk);
                }
            } catch (Exception closed) {
                // the server closed the connection: what the tests wait for
            }
        });
        dribbler.start();
        return dribbler;
    }
}
