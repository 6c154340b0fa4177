package plight.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client end of the control socket (the CLI's and plight-bench's), on the JDK's own Unix domain sockets:
 * a state change from the CLI must not pay for loading Netty. One connection, one request at a time, every
 * read bounded by a deadline.
 */
public final class ControlClient implements AutoCloseable {
    /** The socket exists but its mode does not let us connect. */
    public static final class PermissionDenied extends IOException {
        PermissionDenied(String message) {
            super(message);
        }
    }

    /**
     * The daemon closed the connection (end of input or a reset) before answering: it is stopping, or gone.
     */
    public static final class ConnectionLost extends IOException {
        ConnectionLost(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Longer than any line the daemon sends; a peer that sends endless bytes without a newline is cut off. */
    private static final int MAX_LINE = 1 << 20;

    private final Path path;
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private final LineBuffer pending = new LineBuffer(MAX_LINE);

    private ControlClient(Path path, SocketChannel channel, Selector selector) {
        this.path = path;
        this.channel = channel;
        this.selector = selector;
    }

    /**
     * Connects to the daemon; empty when none listens on {@code path}, or when it closes the connection before
     * its greeting (it is stopping).
     *
     * @throws PermissionDenied when a daemon listens but we may not talk to it
     * @throws IOException      when something else on {@code path} does not answer as plight does
     */
    public static Optional<ControlClient> connect(Path path, Duration timeout) throws IOException {
        if (Files.notExists(path)) return Optional.empty(); // not exists(): a directory we cannot enter is not "no daemon"
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException refused) { // a socket file nobody listens on: left by a daemon that is gone
            closeQuietly(ch);
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(ch);
            // Decided by the file, not by the words of the exception (the JDK reports EACCES as a BindException).
            if (Files.notExists(path)) return Optional.empty(); // removed since the check above: the daemon stopped
            if (!Files.isWritable(path)) {
                throw new PermissionDenied("permission denied on the control socket " + path
                        + ": changing the state needs root or membership in the socket's group");
            }
            throw e;
        }
        try {
            ch.configureBlocking(false);
            Selector selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
            ControlClient client = new ControlClient(path, ch, selector);
            String greeting = client.readLine(System.nanoTime() + timeout.toNanos());
            if (greeting != null && greeting.startsWith("ERR " + Reply.BUSY + " ")) {
                client.close();
                throw new IOException("the daemon refused the connection to " + path + ": "
                        + greeting.substring(("ERR " + Reply.BUSY + " ").length()));
            }
            if (!Protocol.GREETING.equals(greeting)) {
                client.close();
                throw new IOException(path + " does not speak the plight control protocol " + Protocol.VERSION
                        + " (it said '" + greeting + "')");
            }
            return Optional.of(client);
        } catch (ConnectionLost e) {
            closeQuietly(ch);
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * Sends one request line and returns the reply, waiting at most {@code timeout}.
     *
     * @throws java.net.SocketTimeoutException when no complete reply came in time
     * @throws IOException                     when the connection failed or the reply is not one
     */
    public Reply call(String request, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                while (out.hasRemaining()) {
                    if (channel.write(out) == 0) Thread.onSpinWait();
                }
            } catch (IOException e) { // broken pipe, reset
                throw lost(e);
            }
            List<String> lines = new ArrayList<>();
            for (String line = readLine(deadline); !line.isEmpty(); line = readLine(deadline)) {
                lines.add(line);
            }
            return Reply.parse(lines);
        } catch (IllegalArgumentException e) {
            throw new IOException("plight answered something unexpected on " + path + ": " + e.getMessage(), e);
        }
    }

    private String readLine(long deadline) throws IOException {
        String line;
        while ((line = pending.poll()) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new java.net.SocketTimeoutException("plight did not answer on " + path + " in time");
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) { // reset
                throw lost(e);
            }
            if (n < 0) {
                throw lost(null);
            }
            try {
                pending.add(in.array(), 0, in.position());
            } catch (IllegalArgumentException e) {
                throw new IOException("plight answered something unexpected on " + path + ": " + e.getMessage(), e);
            } finally {
                in.clear();
            }
        }
        return line;
    }

    private ConnectionLost lost(IOException cause) {
        return new ConnectionLost("plight closed the control connection " + path + " without answering", cause);
    }

    @Override
    public void close() {
        closeQuietly(channel);
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
