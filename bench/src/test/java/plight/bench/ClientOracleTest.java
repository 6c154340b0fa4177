package plight.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Await;
import plight.testkit.RawHttp;

/**
 * AsyncHttpClient as an independent oracle for the lean driver's parser: on every kind of answer of SPEC's probe
 * section (each state's code and reason phrase; GET, HEAD, OPTIONS, another method's 405; HTTP/1.1, HTTP/1.0 with
 * and without keep-alive; Connection: close), the bytes the daemon sent, read by the lean parser, say what
 * AsyncHttpClient says: same status, same X-Plight-State, same end of the response, the same close decision;
 * and AsyncHttpClient sees the same reason phrase, headers and body as the bytes hold.
 */
class ClientOracleTest {
    @TempDir
    static Path dir;
    static InProcessNode node;
    static AsyncHttpClient ahc;

    @BeforeAll
    static void start() throws Exception {
        node = InProcessNode.start(dir);
        ahc = Ahc.client(false, 1, "nio", Duration.ofSeconds(10).toNanos());
    }

    @AfterAll
    static void stop() throws IOException {
        ahc.close();
        node.close();
    }

    /** What the lean parser made of the raw bytes. */
    record Lean(int status, String state, boolean close, int responses, int left) {
    }

    @Test
    void leanParserAndAsyncHttpClientAgreeOnEveryKindOfAnswer() throws Exception {
        for (String state : List.of("enabled", "disabled", "offline")) {
            serve(state);
            for (String method : List.of("GET", "HEAD", "OPTIONS", "DELETE")) {
                for (boolean close : List.of(false, true)) {
                    String request = method + " /health?x=1 HTTP/1.1\r\nHost: lb\r\n"
                            + (close ? "Connection: close\r\n" : "") + "\r\n";
                    byte[] raw = exchange(request, !close && !method.equals("DELETE"));
                    RawHttp.Response bytes = RawHttp.Response.read(new ByteArrayInputStream(raw), method.equals("HEAD"));
                    Lean lean = lean(raw, method.equals("HEAD"));
                    Response client = ahc.prepare(method, node.url() + "?x=1")
                            .setHeader("Connection", close ? "close" : "keep-alive").execute().get();
                    String where = state + " " + method + (close ? " close" : "");
                    assertEquals(1, lean.responses(), where + ": one response");
                    assertEquals(0, lean.left(), where + ": the lean parser ends where the response ends");
                    assertEquals(client.getStatusCode(), lean.status(), where);
                    assertEquals(bytes.code(), lean.status(), where);
                    assertEquals(client.getHeader("X-Plight-State"), lean.state(), where);
                    assertEquals(headerSays(bytes, "close") || method.equals("DELETE") || close, lean.close(), where);
                    assertEquals(bytes.reason(), client.getStatusText(), where + ": reason phrase");
                    assertEquals(headers(bytes), headers(client), where + ": headers");
                    assertArrayEquals(bytes.body(), client.getResponseBodyAsBytes(), where + ": body");
                }
            }
            for (boolean keepAlive : List.of(false, true)) {
                String request = "GET /health HTTP/1.0\r\n" + (keepAlive ? "Connection: keep-alive\r\n" : "") + "\r\n";
                byte[] raw = exchange(request, keepAlive);
                RawHttp.Response bytes = RawHttp.Response.read(new ByteArrayInputStream(raw), false);
                Lean lean = lean(raw, false);
                // AsyncHttpClient speaks HTTP/1.1 only: its answer to the same state must match in all but version
                Response client = ahc.prepareGet(node.url()).execute().get();
                String where = state + " HTTP/1.0" + (keepAlive ? " keep-alive" : "");
                assertEquals("HTTP/1.0", bytes.version(), where);
                assertEquals(1, lean.responses(), where);
                assertEquals(0, lean.left(), where);
                assertEquals(client.getStatusCode(), lean.status(), where);
                assertEquals(client.getHeader("X-Plight-State"), lean.state(), where);
                assertEquals(!keepAlive, lean.close(), where + ": 1.0 closes unless asked to keep alive");
                assertEquals(bytes.reason(), client.getStatusText(), where);
                assertArrayEquals(bytes.body(), client.getResponseBodyAsBytes(), where);
            }
        }
        serve("enabled");
    }

    /** Puts the node in {@code state} through its marker files and waits until it is served. */
    private static void serve(String state) throws IOException {
        for (String s : List.of("disabled", "offline")) {
            Path marker = node.config.states().byName(s).orElseThrow().file();
            if (s.equals(state)) {
                Files.writeString(marker, "");
            } else {
                Files.deleteIfExists(marker);
            }
        }
        Await.until(() -> {
            try {
                return state.equals(RawHttp.once(node.port()).header("X-Plight-State"));
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10), "state " + state + " served");
    }

    /**
     * Sends {@code request} on a new connection and returns every byte of the answer: up to the server's close, or
     * for a connection kept alive, the one complete response (then we close).
     */
    private static byte[] exchange(String request, boolean keptAlive) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.port()), RawHttp.TIMEOUT_MILLIS);
            s.setSoTimeout(RawHttp.TIMEOUT_MILLIS);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            if (keptAlive) {
                return RawHttp.Response.read(in, request.startsWith("HEAD")).raw();
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toByteArray();
        }
    }

    private static Lean lean(byte[] raw, boolean head) {
        ResponseParser p = new ResponseParser();
        p.head(head);
        List<Object[]> seen = new ArrayList<>();
        var buf = Unpooled.wrappedBuffer(raw);
        p.feed(buf, (status, state, close) -> seen.add(new Object[] {status, state, close}));
        p.endOfInput((status, state, close) -> seen.add(new Object[] {status, state, close}));
        assertNotNull(seen.isEmpty() ? null : seen.get(0), "the lean parser completed no response");
        Object[] first = seen.get(0);
        return new Lean((Integer) first[0], (String) first[1], (Boolean) first[2], seen.size(), buf.readableBytes()
                + (p.idle() ? 0 : 1));
    }

    private static boolean headerSays(RawHttp.Response r, String token) {
        String v = r.header("Connection");
        return v != null && v.toLowerCase(Locale.ROOT).contains(token);
    }

    /** Header lines as sent, names lower-cased, Date left out (it may tick between the two requests). */
    private static List<String> headers(RawHttp.Response r) {
        List<String> out = new ArrayList<>();
        for (String[] h : r.headers()) {
            if (!h[0].equalsIgnoreCase("Date")) {
                out.add(h[0].toLowerCase(Locale.ROOT) + ": " + h[1]);
            }
        }
        return out;
    }

    private static List<String> headers(Response r) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : r.getHeaders()) {
            if (!h.getKey().equalsIgnoreCase("Date")) {
                out.add(h.getKey().toLowerCase(Locale.ROOT) + ": " + h.getValue());
            }
        }
        return out;
    }
}
