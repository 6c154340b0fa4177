package plight.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A raw TCP client: bytes out, HTTP/1.x responses parsed by hand, no HTTP library in between. */
public final class RawHttp implements AutoCloseable {
    public static final int TIMEOUT_MILLIS = 10_000;
    public static final String GET = "GET / HTTP/1.1\r\nHost: lb\r\n\r\n";

    public final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A connection to {@code port} on 127.0.0.1. */
    public RawHttp(int port) throws IOException {
        this(new InetSocketAddress("127.0.0.1", port));
    }

    public RawHttp(InetSocketAddress address) throws IOException {
        this(connected(new Socket(), address));
    }

    public RawHttp(Socket connected) throws IOException {
        this.socket = connected;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public static Socket connected(Socket s, InetSocketAddress address) throws IOException {
        s.connect(address, TIMEOUT_MILLIS);
        return s;
    }

    /** One GET on a new connection to 127.0.0.1:{@code port}, which is then closed. */
    public static Response once(int port) throws IOException {
        try (RawHttp h = new RawHttp(port)) {
            return h.get();
        }
    }

    public RawHttp send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** {@link #GET} on this connection, and its response. */
    public Response get() throws IOException {
        return send(GET).read();
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads one response; a response to HEAD has no body whatever its Content-Length says. */
    public Response read(boolean head) throws IOException {
        return Response.read(in, head);
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** True when the server has closed: end of input (or a reset) before any further byte. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Everything until the server closes. */
    public byte[] readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                all.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close within " + TIMEOUT_MILLIS + " ms; got "
                    + all.toString(StandardCharsets.ISO_8859_1), e);
        }
        return all.toByteArray();
    }

    public InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One HTTP/1.x response as received, parsed strictly enough that a framing error shows. */
    public record Response(String version, int code, String reason, List<String[]> headers, byte[] body, byte[] raw) {

        public static Response read(InputStream in, boolean head) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String statusLine = line(in, raw);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 3 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + statusLine);
            }
            List<String[]> headers = new ArrayList<>();
            for (String line; !(line = line(in, raw)).isEmpty(); ) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("bad header line: " + line);
                }
                headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
            }
            int code = Integer.parseInt(parts[1]);
            byte[] body = new byte[0];
            String length = find(headers, "Content-Length");
            if (!head && length != null) {
                body = in.readNBytes(Integer.parseInt(length));
                if (body.length < Integer.parseInt(length)) {
                    throw new EOFException("body cut short");
                }
                raw.write(body);
            }
            return new Response(parts[0], code, new String(parts[2].getBytes(StandardCharsets.ISO_8859_1),
                    StandardCharsets.UTF_8), headers, body, raw.toByteArray());
        }

        /** A line without its CRLF, insisting on CRLF. */
        private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (;;) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed mid-response after " + raw.size() + " bytes: "
                            + raw.toString(StandardCharsets.ISO_8859_1));
                }
                raw.write(b);
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
                        throw new IOException("bare LF in response");
                    }
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        }

        private static String find(List<String[]> headers, String name) {
            String found = null;
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    if (found != null) {
                        throw new IllegalStateException("duplicate header " + name);
                    }
                    found = h[1];
                }
            }
            return found;
        }

        /** The value of a header that must appear at most once; {@code null} when absent. */
        public String header(String name) {
            return find(headers, name);
        }

        /** The state plight says it answered with ({@code X-Plight-State}). */
        public String state() {
            return header("X-Plight-State");
        }

        public List<String> headerNames() {
            List<String> names = new ArrayList<>();
            for (String[] h : headers) {
                names.add(h[0].toLowerCase(Locale.ROOT));
            }
            return names;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
