package plight.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One prober of the close scenario making one connection per request, sequentially: connect, send a
 * {@code Connection: close} request, read the answer, wait for the server to close (so that TIME_WAIT stays on
 * the server's side, as with real probes), repeat at once. Latency counts from the start of the connect.
 *
 * <p>The worker is the handler of each of its channels in turn ({@link Sharable}, but only ever in one
 * pipeline at a time that counts: events from an older channel are ignored). It lives on one event loop.
 */
@ChannelHandler.Sharable
final class ProbeWorker extends ChannelInboundHandlerAdapter
        implements ResponseParser.Listener, ChannelFutureListener {
    /** After a failed connect in the close scenario, wait this long instead of spinning. */
    private static final long CONNECT_BACKOFF_NANOS = 10_000_000L;

    private final RunContext rc;
    private final ProbeLoad load;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final byte[] request;
    private final LoopStats stats;
    private final ResponseParser parser = new ResponseParser();
    private final Runnable timeoutTask = this::timedOut;
    private final Runnable beginNow = () -> begin(System.nanoTime());

    private Channel current;
    private ScheduledFuture<?> timeout;
    private long origin;
    private boolean answered;
    /** The answer said {@code Connection: close}: wait for the server to close. */
    private boolean serverCloses;
    private boolean done;

    ProbeWorker(RunContext rc, ProbeLoad load, EventLoop loop, byte[] request) {
        this.rc = rc;
        this.load = load;
        this.loop = loop;
        this.request = request;
        this.stats = rc.stats(loop);
        this.bootstrap = rc.bootstrap(loop, this);
    }

    /** Starts probing. Runs on the loop. */
    void start() {
        begin(System.nanoTime());
    }

    private void begin(long originNanos) {
        if (!rc.open(originNanos)) {
            finish();
            return;
        }
        origin = originNanos;
        answered = false;
        parser.reset();
        ChannelFuture f = bootstrap.connect();
        current = f.channel();
        rc.channels.add(current);
        timeout = loop.schedule(timeoutTask, rc.timeoutNanos, TimeUnit.NANOSECONDS);
        f.addListener(this);
    }

    /** Connect outcome. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.channel() != current || f.isSuccess()) {
            return;
        }
        if (rc.inWindow(origin)) {
            stats.error(ErrorKind.CONNECT);
        }
        endProbe(CONNECT_BACKOFF_NANOS);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel() == current) {
            ByteBuf buf = ctx.alloc().directBuffer(request.length);
            buf.writeBytes(request);
            ctx.writeAndFlush(buf, ctx.voidPromise());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (ctx.channel() != current || answered) {
                return;
            }
            parser.feed(buf, this);
            if (answered && !serverCloses) {
                ctx.close(); // it did not say it would close: do not wait for it
            }
        } catch (HttpParseException e) {
            if (rc.inWindow(origin)) {
                stats.error(ErrorKind.PARSE);
            }
            answered = true; // counted
            ctx.close();
        } finally {
            buf.release();
        }
    }

    @Override
    public void onResponse(int status, String state, boolean close) {
        if (answered) {
            return;
        }
        answered = true;
        serverCloses = close;
        if (rc.inWindow(origin)) {
            stats.record(System.nanoTime() - origin, status);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel() == current && !answered) {
            if (rc.inWindow(origin)) {
                stats.error(cause instanceof IOException ? ErrorKind.RESET : ErrorKind.PARSE);
            }
            answered = true; // counted
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() != current) {
            return;
        }
        if (!answered && !parser.endOfInput(this) && rc.inWindow(origin) && !rc.shuttingDown()) {
            stats.error(ErrorKind.CLOSED);
        }
        endProbe(0);
    }

    private void timedOut() {
        if (current == null) {
            return;
        }
        if (!answered && rc.inWindow(origin)) {
            stats.error(ErrorKind.TIMEOUT);
        }
        endProbe(0);
    }

    /** The current probe is over (answered, failed or timed out): close its channel, start the next. */
    private void endProbe(long backoffNanos) {
        Channel ch = current;
        current = null;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        if (ch != null && ch.isOpen()) {
            ch.close();
        }
        if (backoffNanos > 0) {
            loop.schedule(beginNow, backoffNanos, TimeUnit.NANOSECONDS);
        } else {
            begin(System.nanoTime());
        }
    }

    private void finish() {
        if (!done) {
            done = true;
            load.workerDone();
        }
    }
}
