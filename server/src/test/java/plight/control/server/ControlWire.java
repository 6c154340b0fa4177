package plight.control.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import plight.control.ControlClient;
import plight.control.LineBuffer;
import plight.control.Reply;

/**
 * A raw client of the control socket for tests: bytes out, lines in, every read bounded by a deadline (a test
 * that would hang fails instead). Deliberately not {@link ControlClient}: the tests check the wire itself.
 */
public final class ControlWire implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    public static final String GREETING = "PLIGHT 1";

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(16384);
    private final LineBuffer pending = new LineBuffer(Integer.MAX_VALUE);
    private boolean eof;

    private ControlWire(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** Connects without reading anything. */
    public static ControlWire connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new ControlWire(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Connects and insists on the greeting. */
    public static ControlWire open(Path socket) throws IOException {
        ControlWire w = connect(socket);
        String greeting = w.readLine();
        if (!GREETING.equals(greeting)) {
            w.close();
            throw new AssertionError("expected the greeting '" + GREETING + "', got '" + greeting + "'");
        }
        return w;
    }

    public ControlWire send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public ControlWire send(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (System.nanoTime() - deadline > 0) throw new AssertionError("the server stopped reading");
                Thread.onSpinWait();
            }
        }
        return this;
    }

    /** One request line, then its reply. */
    public Reply call(String request) throws IOException {
        send(request + "\n");
        return reply();
    }

    /** The lines of one reply, without the terminating empty line. */
    public List<String> replyLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); ; line = readLine()) {
            if (line == null) throw new AssertionError("connection closed in the middle of a reply: " + lines);
            if (line.isEmpty()) return lines;
            lines.add(line);
        }
    }

    public Reply reply() throws IOException {
        return Reply.parse(replyLines());
    }

    /** The next line without its newline; {@code null} at end of input. Fails after {@link #TIMEOUT}. */
    public String readLine() throws IOException {
        return readLine(TIMEOUT);
    }

    public String readLine(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = pending.poll();
            if (line != null) return line;
            if (eof) {
                if (!pending.isEmpty()) throw new AssertionError("connection closed after a partial line: " + held());
                return null;
            }
            if (!fill(deadline)) {
                throw new AssertionError("no complete line within " + timeout.toMillis() + " ms; have '" + held() + "'");
            }
        }
    }

    /** True when nothing at all arrives (and the connection stays open) for {@code d}. */
    public boolean silentFor(Duration d) throws IOException {
        if (!pending.isEmpty() || eof) return false;
        long deadline = System.nanoTime() + d.toNanos();
        fill(deadline);
        return pending.isEmpty() && !eof;
    }

    /** True when the server closes (end of input or a reset) within {@link #TIMEOUT}, with nothing more said. */
    public boolean closedByServer() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!eof) {
            if (!pending.isEmpty()) {
                throw new AssertionError("expected the connection to close, got more: " + held());
            }
            if (!fill(deadline)) return false;
        }
        return pending.isEmpty();
    }

    /** Reads what is there or arrives before {@code deadline}; false when the deadline passed with nothing new. */
    private boolean fill(long deadline) throws IOException {
        while (true) {
            int n;
            try {
                n = channel.read(in);
            } catch (IOException reset) {
                eof = true;
                return true;
            }
            if (n < 0) {
                eof = true;
                return true;
            }
            if (n > 0) {
                pending.add(in.array(), 0, in.position());
                in.clear();
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
        }
    }

    public SocketChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }

    private String held() {
        return new String(pending.rest(), StandardCharsets.UTF_8);
    }
}
