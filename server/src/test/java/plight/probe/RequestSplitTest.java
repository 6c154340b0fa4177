package plight.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import plight.testkit.RawHttp.Response;
import plight.testkit.RawHttp;

/**
 * Valid requests split across reads at any byte are answered exactly as if they came in one piece, in order.
 * Seeded generators stand in for a property-testing library: a failure names its seed, which replays it.
 */
class RequestSplitTest {
    private static final LiveResponses LIVE = new LiveResponses(TestStates.OFFLINE);

    private static byte[] expected(List<RequestGenerator.Request> requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RequestGenerator.Request r : requests) {
            ByteBuf answer = LIVE.current().probe(r.http11(), r.keepAlive(), r.head());
            byte[] bytes = new byte[answer.readableBytes()];
            answer.readBytes(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void randomSplitsOfRandomValidRequestsAreAnsweredInOrder() {
        for (long seed = 0; seed < 3000; seed++) {
            Random random = new Random(seed);
            List<RequestGenerator.Request> requests = new RequestGenerator(random).sequence(6);
            byte[] all = RequestGenerator.concat(requests);
            int[] cuts = RequestGenerator.cuts(random, all.length);
            try (EmbeddedProbe probe = new EmbeddedProbe(LIVE)) {
                for (int i = 1; i < cuts.length; i++) {
                    probe.write(all, cuts[i - 1], cuts[i]);
                }
                String context = "seed " + seed + ", requests:\n" + new String(all, StandardCharsets.UTF_8);
                assertArrayEquals(expected(requests), probe.output(), context);
                assertEquals(requests.get(requests.size() - 1).keepAlive(), probe.channel.isOpen(), context);
            }
        }
    }

    @Test
    void everyTwoWaySplitOfAPipelinedBatchIsAnswered() {
        Random random = new Random(7);
        RequestGenerator generator = new RequestGenerator(random);
        List<RequestGenerator.Request> requests = List.of(generator.request(true), generator.request(true),
                generator.request(true), generator.request(false));
        byte[] all = RequestGenerator.concat(requests);
        byte[] expected = expected(requests);
        for (int cut = 0; cut <= all.length; cut++) {
            try (EmbeddedProbe probe = new EmbeddedProbe(LIVE)) {
                probe.write(all, 0, cut).write(all, cut, all.length);
                assertArrayEquals(expected, probe.output(), "cut at " + cut);
            }
        }
    }

    @Test
    void randomSplitsOverARealSocketAreAnsweredInOrder() throws IOException {
        try (TestServer server = TestServer.builder().state(TestStates.DISABLED).start()) {
            for (long seed = 0; seed < 150; seed++) {
                Random random = new Random(seed);
                List<RequestGenerator.Request> requests = new RequestGenerator(random).sequence(5);
                byte[] all = RequestGenerator.concat(requests);
                int[] cuts = RequestGenerator.cuts(random, all.length);
                try (RawHttp c = server.connect()) {
                    for (int i = 1; i < cuts.length; i++) {
                        c.send(java.util.Arrays.copyOfRange(all, cuts[i - 1], cuts[i]));
                    }
                    for (RequestGenerator.Request r : requests) {
                        Response response = c.read(r.head());
                        String context = "seed " + seed + ": " + r.text();
                        assertEquals(r.http11() ? "HTTP/1.1" : "HTTP/1.0", response.version(), context);
                        assertEquals(404, response.code(), context);
                        assertEquals(r.head() ? "" : "node is unavailable\n", response.bodyText(), context);
                        String connection = response.header("Connection");
                        assertEquals(r.http11() == r.keepAlive() ? null : r.keepAlive() ? "keep-alive" : "close",
                                connection, context);
                    }
                    if (!requests.get(requests.size() - 1).keepAlive()) {
                        assertArrayEquals(new byte[0], c.readToEnd(), "seed " + seed);
                    }
                }
            }
        }
    }
}
