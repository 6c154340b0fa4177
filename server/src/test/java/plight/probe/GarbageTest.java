package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import plight.testkit.Await;
import plight.testkit.RawHttp.Response;
import plight.testkit.RawHttp;

/**
 * Random input never throws out of the pipeline, never leaves a connection hanging past the time limits,
 * never leaks a buffer, and whatever is answered is well-formed HTTP. Seeded: a failure names its seed.
 */
class GarbageTest {
    private static final LiveResponses LIVE = new LiveResponses(TestStates.ENABLED);
    private static final Set<Integer> ERRORS = Set.of(400, 405, 408, 414, 431, 505);
    private static final String[] PIECES = {"GET", "HEAD", "OPTIONS", "POST", "get", " ", " ", "\t", "/", "/x?y",
        "*", "HTTP/1.1", "HTTP/1.0", "HTTP/", "HTTP/1.", "\r\n", "\r\n", "\n", "\r", ":", ": ", "Host", "Connection",
        "close", "keep-alive", ",", "Content-Length", "Transfer-Encoding", "0", "5", "\u0000", "\u007f", "ü",
        "GET / HTTP/1.1\r\n\r\n", "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "\r\n\r\n"};

    static byte[] garbage(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = random.nextInt(200);
        for (int i = 0; i < parts; i++) {
            switch (random.nextInt(10)) {
                case 0 -> {
                    byte[] noise = new byte[1 + random.nextInt(20)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
                case 1 -> {
                    if (random.nextInt(20) == 0) {
                        out.writeBytes("a".repeat(8000 + random.nextInt(10_000)).getBytes(StandardCharsets.US_ASCII));
                    }
                }
                default -> out.writeBytes(PIECES[random.nextInt(PIECES.length)].getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Test
    void randomInputIsSurvivedAndEveryConnectionEnds() throws IOException {
        int answered = 0;
        int errors = 0;
        for (long seed = 0; seed < 4000; seed++) {
            Random random = new Random(seed);
            byte[] input = garbage(random);
            String context = "seed " + seed;
            try (EmbeddedProbe probe = new EmbeddedProbe(LIVE)) {
                if (input.length > 0) {
                    int[] cuts = RequestGenerator.cuts(random, input.length);
                    for (int i = 1; i < cuts.length && probe.channel.isOpen(); i++) {
                        probe.write(input, cuts[i - 1], cuts[i]);
                    }
                }
                if (random.nextBoolean() && probe.channel.isOpen()) {
                    probe.endOfInput();
                }
                probe.advance(EmbeddedProbe.REQUEST_TIMEOUT.plusSeconds(1));
                probe.advance(EmbeddedProbe.IDLE_TIMEOUT.plusSeconds(1));
                assertFalse(probe.channel.isOpen(), context + ": connection still open after every time limit");

                ByteArrayInputStream out = new ByteArrayInputStream(probe.output());
                while (out.available() > 0) {
                    Response r = readGuessingHead(out);
                    answered++;
                    if (ERRORS.contains(r.code())) {
                        errors++;
                        assertEquals(0, out.available(), context + ": answered after an error");
                        assertEquals("close", r.header("Connection"), context);
                    } else {
                        assertEquals(200, r.code(), context);
                    }
                }
            }
        }
        // The generator must reach both outcomes, or it tests less than it seems to.
        assertTrue(answered > 1000 && errors > 1000, answered + " answers, " + errors + " errors");
    }

    /** A HEAD answer has a Content-Length but no body: if the next bytes start an answer, there is none. */
    static Response readGuessingHead(ByteArrayInputStream in) throws IOException {
        in.mark(0);
        Response asHead = Response.read(in, true);
        in.mark(0);
        byte[] next = in.readNBytes(7);
        in.reset();
        boolean head = next.length == 0 || new String(next, StandardCharsets.US_ASCII).equals("HTTP/1.");
        if (head || asHead.header("Content-Length") == null) {
            return asHead;
        }
        byte[] body = in.readNBytes(Integer.parseInt(asHead.header("Content-Length")));
        return new Response(asHead.version(), asHead.code(), asHead.reason(), asHead.headers(), body, asHead.raw());
    }

    @Test
    void randomInputOverRealSocketsLeavesTheServerServing() throws Exception {
        Duration limit = Duration.ofMillis(300);
        try (TestServer server = TestServer.builder().requestTimeout(limit).idleTimeout(limit).start()) {
            for (long seed = 0; seed < 40; seed++) {
                Random random = new Random(seed);
                byte[] input = garbage(random);
                try (RawHttp c = server.connect()) {
                    try {
                        c.send(input);
                        if (random.nextBoolean()) {
                            c.shutdownOutput();
                        }
                    } catch (IOException closedEarly) {
                        // the server answered an error and shut its side while we were still sending
                    }
                    long start = System.nanoTime();
                    drain(c);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis < 3000, "seed " + seed + ": connection lasted " + millis + " ms");
                }
            }
            try (RawHttp c = server.connect()) {
                assertEquals(200, c.send("GET / HTTP/1.1\r\n\r\n").read().code());
            }
            Await.until(() -> server.server.openConnections() == 0, Duration.ofSeconds(5), "every connection closed");
        }
    }

    private static void drain(RawHttp c) throws IOException {
        byte[] buf = new byte[8192];
        try {
            while (c.input().read(buf) >= 0) {
                // discard
            }
        } catch (java.net.SocketException reset) {
            // a reset ends the connection too
        }
    }
}
