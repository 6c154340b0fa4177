package plight.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile clients: each pipelines requests as fast as the server takes them and never reads an answer. One
 * thread writes for all of them, so hundreds cost the test one thread.
 */
final class Pipeliners implements AutoCloseable {
    private static final byte[] BATCH = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(150)
            .getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;
    private final List<SocketChannel> channels = new ArrayList<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final Thread writer;
    private volatile boolean stop;

    Pipeliners(InetSocketAddress server, int count) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open(server);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_WRITE, ByteBuffer.wrap(BATCH));
            channels.add(ch);
        }
        writer = new Thread(this::writeUntilStopped, "pipeliners");
        writer.setDaemon(true);
        writer.start();
    }

    private void writeUntilStopped() {
        try {
            while (!stop) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    ByteBuffer batch = (ByteBuffer) key.attachment();
                    try {
                        written.addAndGet(((SocketChannel) key.channel()).write(batch));
                        if (!batch.hasRemaining()) {
                            batch.rewind();
                        }
                    } catch (IOException resetOrClosed) {
                        closedByServer.incrementAndGet();
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            closedByServer.set(Integer.MIN_VALUE);
        }
    }

    /** Bytes of requests the server's kernel has taken so far. */
    long written() {
        return written.get();
    }

    /** Connections the server closed (writes failed with a reset or broken pipe). */
    int closedByServer() {
        return closedByServer.get();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop = true;
        writer.join();
        for (SocketChannel ch : channels) {
            ch.close();
        }
        selector.close();
    }
}
