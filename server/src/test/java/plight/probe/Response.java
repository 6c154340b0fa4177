package plight.probe;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One HTTP/1.x response as received, parsed strictly enough that a framing error shows. */
record Response(String version, int code, String reason, List<String[]> headers, byte[] body, byte[] raw) {

    static Response read(InputStream in, boolean head) throws IOException {
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
    String header(String name) {
        return find(headers, name);
    }

    List<String> headerNames() {
        List<String> names = new ArrayList<>();
        for (String[] h : headers) {
            names.add(h[0].toLowerCase(Locale.ROOT));
        }
        return names;
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
