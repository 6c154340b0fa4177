package plight.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One persistent connection keeping {@code depth} requests in flight (1 for keepalive and flip). Each answer
 * is replaced by a new request; the requests freed by one read are written together, in one buffer and one
 * flush. Send times (and, for flip, the acknowledged state generation) sit in a ring: nothing is allocated per
 * request but the pooled write buffer.
 *
 * <p>Lost requests (connection reset or closed, timeout, unparsable answer) are errors, one per request. The
 * connection is then replaced while the run lasts. At the end of the run it closes itself once its last
 * answer is in.
 */
final class KeepAliveConnection extends ChannelInboundHandlerAdapter implements ResponseParser.Listener, Runnable {
    private final RunContext rc;
    private final PersistentLoad load;
    private final byte[] request;
    private final int depth;
    private final long[] sentAt;
    private final int[] sentGeneration;
    private final ResponseParser parser = new ResponseParser();

    private ChannelHandlerContext ctx;
    private LoopStats stats;
    private ScheduledFuture<?> watchdog;
    private int head;
    private int outstanding;
    private long now;
    /**
     * An answer said {@code Connection: close} (nginx does that every 1000 requests): send nothing more; the
     * requests it leaves unanswered are not errors; the connection is replaced.
     */
    private boolean serverClosing;
    private long serverClosingSince;
    /** We close it at the end of the run. */
    private boolean closing;
    /** We close it after an error: {@link #failure} says which. */
    private boolean failed;
    private ErrorKind failure = ErrorKind.CLOSED;

    KeepAliveConnection(RunContext rc, PersistentLoad load, byte[] request, int depth) {
        this.rc = rc;
        this.load = load;
        this.request = request;
        this.depth = depth;
        this.sentAt = new long[depth];
        this.sentGeneration = new int[depth];
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.stats = rc.stats(ctx.executor());
        long period = Math.max(rc.timeoutNanos / 4, 10_000_000L);
        watchdog = ctx.executor().scheduleAtFixedRate(this, period, period, TimeUnit.NANOSECONDS);
        load.connected();
        if (rc.started()) {
            fill();
        }
        ctx.fireChannelActive();
    }

    /** Starts sending; runs on this connection's event loop. */
    void start() {
        if (ctx != null && ctx.channel().isActive()) {
            fill();
        }
    }

    private void fill() {
        if (closing || failed || serverClosing) {
            return;
        }
        long t = System.nanoTime();
        if (!rc.open(t)) {
            if (outstanding == 0) {
                closing = true;
                ctx.close();
            }
            return;
        }
        int n = depth - outstanding;
        if (n <= 0) {
            return;
        }
        int generation = rc.stale == null ? 0 : rc.stale.acknowledgedGeneration();
        ByteBuf buf = ctx.alloc().directBuffer(n * request.length);
        for (int i = 0; i < n; i++) {
            buf.writeBytes(request);
            int slot = head + outstanding;
            if (slot >= depth) {
                slot -= depth;
            }
            sentAt[slot] = t;
            sentGeneration[slot] = generation;
            outstanding++;
        }
        ctx.writeAndFlush(buf, ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (closing || failed) {
                return;
            }
            now = System.nanoTime();
            parser.feed(buf, this);
            if (serverClosing && outstanding > 0) {
                ctx.close(); // no more answers will come on this connection
            }
        } catch (HttpParseException e) {
            fail(ErrorKind.PARSE);
        } finally {
            buf.release();
        }
    }

    @Override
    public void onResponse(int status, String state, boolean close) {
        if (outstanding == 0) {
            throw new HttpParseException("response without a request");
        }
        long origin = sentAt[head];
        int generation = sentGeneration[head];
        if (++head == depth) {
            head = 0;
        }
        outstanding--;
        if (rc.inWindow(origin)) {
            stats.record(now - origin, status);
            StaleDetector sd = rc.stale;
            if (sd != null && sd.judged(generation, now)) {
                stats.staleChecked++;
                if (sd.isStale(generation, state, now)) {
                    stats.stale++;
                }
            }
        }
        if (close && !serverClosing) {
            serverClosing = true;
            serverClosingSince = now;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        fill();
        ctx.fireChannelReadComplete();
    }

    /**
     * Watchdog: the oldest request has waited longer than the timeout; or the server announced a close it does
     * not make.
     */
    @Override
    public void run() {
        long t = System.nanoTime();
        if (serverClosing) {
            if (t - serverClosingSince > rc.timeoutNanos) {
                ctx.close();
            }
        } else if (outstanding > 0 && t - sentAt[head] > rc.timeoutNanos) {
            fail(ErrorKind.TIMEOUT);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause instanceof IOException ? ErrorKind.RESET : ErrorKind.PARSE);
    }

    private void fail(ErrorKind kind) {
        if (closing || failed) {
            return;
        }
        failed = true;
        failure = kind;
        if (outstanding == 0 && !serverClosing && rc.inWindow(System.nanoTime())) {
            stats.error(kind); // e.g. an answer nobody asked for
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        load.disconnected();
        if (rc.shuttingDown()) {
            return;
        }
        if (outstanding > 0 && !closing && !failed) {
            now = System.nanoTime();
            parser.endOfInput(this); // a body delimited by the close is complete now
        }
        if (outstanding > 0 && !serverClosing) {
            int lost = 0;
            for (int i = 0, slot = head; i < outstanding; i++, slot = slot + 1 == depth ? 0 : slot + 1) {
                if (rc.inWindow(sentAt[slot])) {
                    lost++;
                }
            }
            if (lost > 0) {
                stats.error(failure, lost);
            }
        }
        outstanding = 0;
        if (!closing) {
            load.reconnect(ctx.channel().eventLoop());
        }
    }
}
