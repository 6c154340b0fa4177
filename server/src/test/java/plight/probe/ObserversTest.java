package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import plight.state.State;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/** What the daemon hooks into: the probe listener, the access log and the served counters. */
class ObserversTest {
    private record Served(InetSocketAddress remote, State state) {
    }

    private record Logged(InetSocketAddress remote, String line, int status, int bytes) {
    }

    @Test
    void listenerHearsEveryProbeWithItsSourceAndState() throws IOException {
        List<Served> served = new CopyOnWriteArrayList<>();
        try (TestServer server = TestServer.builder().listener((r, s) -> served.add(new Served(r, s))).start();
             RawHttp c = server.connect()) {
            c.send("GET / HTTP/1.1\r\n\r\n").read();
            server.live.show(TestStates.DISABLED);
            c.send("HEAD / HTTP/1.1\r\n\r\n").read(true);
            c.send("POST / HTTP/1.1\r\n\r\n").read();
            assertEquals(2, served.size(), "errors are not probes");
            assertEquals(TestStates.ENABLED, served.get(0).state());
            assertEquals(TestStates.DISABLED, served.get(1).state());
            assertEquals(c.socket.getLocalPort(), served.get(0).remote().getPort());
            assertEquals("127.0.0.1", served.get(0).remote().getAddress().getHostAddress());
            assertEquals(1L, server.live.served().get("enabled"));
            assertEquals(1L, server.live.served().get("disabled"));
        }
    }

    @Test
    void accessLogGetsRequestLineStatusAndSizeForAnswersAndErrors() throws IOException {
        List<Logged> logged = new CopyOnWriteArrayList<>();
        AccessLog log = (remote, buf, index, length, status, bytes) ->
                logged.add(new Logged(remote, buf.toString(index, length, StandardCharsets.ISO_8859_1), status, bytes));
        try (TestServer server = TestServer.builder().accessLog(log).requestTimeout(Duration.ofMillis(300)).start()) {
            int getSize;
            try (RawHttp c = server.connect()) {
                getSize = c.send("GET /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.0\r\n\r\n").read().raw().length;
                c.read(true);
            }
            try (RawHttp c = server.connect()) {
                c.send("DELETE /thing HTTP/1.1\r\n\r\n").read();
            }
            try (RawHttp c = server.connect()) {
                c.send("GET /slow HTTP/1.1\r\nHost:").read();
            }
            try (RawHttp c = server.connect()) {
                c.send("GET /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n").read();
            }
            Await.until(() -> logged.size() == 5, Duration.ofSeconds(5), "five log calls");
            assertEquals(new Logged(logged.get(0).remote(), "GET /x?y=1 HTTP/1.1", 200, getSize), logged.get(0));
            assertEquals("HEAD / HTTP/1.0", logged.get(1).line());
            assertEquals(new Logged(logged.get(2).remote(), "DELETE /thing HTTP/1.1", 405, logged.get(2).bytes()),
                    logged.get(2));
            assertEquals(new Logged(logged.get(3).remote(), "GET /slow HTTP/1.1", 408, logged.get(3).bytes()),
                    logged.get(3));
            assertEquals(new Logged(logged.get(4).remote(), "", 414, logged.get(4).bytes()), logged.get(4));
            assertEquals("127.0.0.1", logged.get(0).remote().getAddress().getHostAddress());
        }
    }

    @Test
    void probeSourcesWriteIpv6AddressesInTheirShortForm() throws IOException {
        ProbeSources sources = new ProbeSources();
        try (TestServer server = TestServer.builder().hosts("[::1]").listener(sources).start();
             RawHttp c = new RawHttp(server.server.boundAddresses().get(0))) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\n\r\n").read().code());
            assertEquals("::1", sources.snapshot().get(0).address());
        }
    }
}
