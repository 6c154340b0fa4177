package plight.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw TCP client: bytes out, HTTP/1.x responses parsed by hand, no HTTP library in between. */
final class Client implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 10_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Client(InetSocketAddress address) throws IOException {
        this(connected(new Socket(), address));
    }

    Client(Socket connected) throws IOException {
        this.socket = connected;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static Socket connected(Socket s, InetSocketAddress address) throws IOException {
        s.connect(address, TIMEOUT_MILLIS);
        return s;
    }

    Client send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    Client send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads one response; a response to HEAD has no body whatever its Content-Length says. */
    Response read(boolean head) throws IOException {
        return Response.read(in, head);
    }

    Response read() throws IOException {
        return read(false);
    }

    /** True when the server has closed: end of input (or a reset) before any further byte. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Everything until the server closes. */
    byte[] readToEnd() throws IOException {
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

    InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
