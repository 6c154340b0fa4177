package plight.daemon;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A keep-alive probe connection on a raw socket: request bytes out, responses parsed strictly by hand. */
final class Http implements AutoCloseable {
    static final String GET = "GET / HTTP/1.1\r\nHost: lb\r\n\r\n";

    /** One response as received; {@code raw} is every byte of it. */
    record Response(int code, String reason, Map<String, String> headers, String body, int rawLength) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String state() {
            return header("X-Plight-State");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Http(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** One GET on a new connection, which is then closed. */
    static Response once(int port) throws IOException {
        try (Http h = new Http(port)) {
            return h.get();
        }
    }

    Response get() throws IOException {
        out.write(GET.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    Response read() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String status = line(raw);
        String[] parts = status.split(" ", 3);
        if (parts.length < 3 || !parts[0].equals("HTTP/1.1")) throw new IOException("malformed status line: " + status);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l; !(l = line(raw)).isEmpty(); ) {
            int colon = l.indexOf(':');
            if (colon <= 0) throw new IOException("malformed header line: " + l);
            if (headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).strip()) != null) {
                throw new IOException("duplicate header: " + l);
            }
        }
        String length = headers.get("content-length");
        if (length == null) throw new IOException("no Content-Length");
        byte[] body = in.readNBytes(Integer.parseInt(length));
        if (body.length != Integer.parseInt(length)) throw new EOFException("body cut short");
        raw.writeBytes(body);
        return new Response(Integer.parseInt(parts[1]), new String(parts[2].getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
                headers, new String(body, StandardCharsets.UTF_8), raw.size());
    }

    private String line(ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; ; ) {
            b = in.read();
            if (b < 0) throw new EOFException("connection closed after " + raw.size() + " bytes of a response");
            raw.write(b);
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') throw new IOException("bare LF in the response");
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
