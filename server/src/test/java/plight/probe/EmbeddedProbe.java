package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A probe handler on an in-memory channel with frozen time, fed byte chunks exactly as given (a real
 * socket may merge them). Its allocator counts every byte it hands out, so a buffer the handler forgets to
 * release shows up as memory still in use when the channel is finished.
 */
final class EmbeddedProbe implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    final LiveResponses live;
    final EmbeddedChannel channel;
    private boolean direct;

    EmbeddedProbe(LiveResponses live) {
        this(live, ProbeListener.NONE, AccessLog.OFF);
    }

    EmbeddedProbe(LiveResponses live, ProbeErrors errors) {
        this(live, ProbeListener.NONE, AccessLog.OFF, errors);
    }

    EmbeddedProbe(LiveResponses live, ProbeListener listener, AccessLog accessLog) {
        this(live, listener, accessLog, new ProbeErrors((message, trace) -> {
            throw new AssertionError("unexpected error report: " + message, trace);
        }));
    }

    /** A probe port that also speaks HTTP/2: connections that ask for it are handed to {@code http2}. */
    EmbeddedProbe(LiveResponses live, ProbeListener listener, Http2Switch http2) {
        this(live, listener, AccessLog.OFF, new ProbeErrors((message, trace) -> {
            throw new AssertionError("unexpected error report: " + message, trace);
        }), http2);
    }

    private EmbeddedProbe(LiveResponses live, ProbeListener listener, AccessLog accessLog, ProbeErrors errors) {
        this(live, listener, accessLog, errors, null);
    }

    private EmbeddedProbe(LiveResponses live, ProbeListener listener, AccessLog accessLog, ProbeErrors errors,
                          Http2Switch http2) {
        this.live = live;
        ProbeSetup setup = new ProbeSetup(live, listener, accessLog, REQUEST_TIMEOUT, IDLE_TIMEOUT, errors, Duration.ZERO);
        channel = new EmbeddedChannel(new ProbeHandler(http2 == null ? setup : setup.withHttp2(http2)));
        channel.config().setAllocator(alloc);
        channel.freezeTime();
    }

    /** Feeds {@code input} cut after each of {@code sizes}, the rest in one piece, while the connection is open. */
    void feed(byte[] input, int[] sizes) {
        int at = 0;
        for (int size : sizes) {
            int to = Math.min(input.length, at + size);
            if (channel.isOpen()) {
                write(input, at, to);
            }
            at = to;
        }
        if (channel.isOpen()) {
            write(input, at, input.length);
        }
    }

    /** Delivers one read; alternates heap and direct buffers like different transports would. */
    EmbeddedProbe write(byte[] bytes, int from, int to) {
        if (from == to) {
            return this;
        }
        direct = !direct;
        ByteBuf buf = direct ? alloc.directBuffer(to - from) : alloc.heapBuffer(to - from);
        buf.writeBytes(bytes, from, to - from);
        channel.writeInbound(buf);
        return this;
    }

    EmbeddedProbe write(byte[] bytes) {
        return write(bytes, 0, bytes.length);
    }

    /** The peer's end of input, as the transport reports it with half-closure allowed. */
    EmbeddedProbe endOfInput() {
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        channel.runPendingTasks();
        channel.checkException();
        return this;
    }

    EmbeddedProbe advance(Duration d) {
        channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
        channel.checkException();
        return this;
    }

    /** Everything written so far, in order. */
    byte[] output() {
        channel.runPendingTasks();
        return Outbound.drain(channel);
    }

    /** Finishes the channel and checks that every buffer that went through it was released. */
    @Override
    public void close() {
        channel.finishAndReleaseAll();
        channel.checkException();
        assertEquals(0, alloc.metric().usedHeapMemory(), "heap bytes not released");
        assertEquals(0, alloc.metric().usedDirectMemory(), "direct bytes not released");
    }
}
