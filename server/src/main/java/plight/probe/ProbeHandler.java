package plight.probe;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One probe connection: decodes the request heads it receives and answers each from the live response
 * table, in order. The only handler in the pipeline, so nothing is passed on and no message objects are made.
 *
 * <p>Answers are written without flushing and flushed once per read batch. While the channel is not
 * writable the handler neither decodes nor reads, so a client that pipelines without reading is held back by
 * TCP instead of by our memory. All time limits share one scheduled task per connection that re-arms itself
 * from timestamps, so a busy connection costs no timer operations per request.
 */
final class ProbeHandler extends ChannelInboundHandlerAdapter {
    /** User event that ends the connection gracefully: flush the answers, shut our side, let the client close. */
    static final Object STOP = new Object() {
        @Override
        public String toString() {
            return "ProbeHandler.STOP";
        }
    };

    private static final long NONE = Long.MIN_VALUE;

    private final ProbeSetup setup;
    private final boolean accessLogOn;
    private final RequestDecoder decoder = new RequestDecoder();
    private final Runnable checkTimeouts = this::checkTimeouts;
    private final Runnable resume = this::resume;
    private final ChannelFutureListener afterLastAnswer = this::afterLastAnswer;

    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    /** Received bytes not yet consumed; {@code null} when there are none. */
    private ByteBuf cumulation;
    private boolean pendingFlush;
    /** Reading stopped because the channel was not writable. */
    private boolean paused;
    private boolean resumeScheduled;
    private boolean inputShut;
    /** The last answer is written; from now on input is discarded. */
    private boolean closing;
    /** After the last answer, shut our side and wait for the client's end of input. */
    private boolean lingering;
    private boolean answeredAny;
    /** Time of the last read, or of the last resumption after back-pressure. */
    private long lastActivity;
    /** When the first bytes of the incomplete head in {@link #cumulation} arrived, or {@link #NONE}. */
    private long requestStart = NONE;
    private long closeDeadline;
    private ScheduledFuture<?> timer;
    private long timerDeadline;

    ProbeHandler(ProbeSetup setup) {
        this.setup = setup;
        this.accessLogOn = setup.accessLog() != AccessLog.OFF;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        remote = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        lastActivity = now();
        arm(lastActivity + setup.requestTimeoutNanos());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closing) {
            in.release();
            return;
        }
        lastActivity = now();
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        drain();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfPending();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Resume from a task of our own: this event can fire from inside a flush, midway through a write.
        if (paused && !resumeScheduled && ctx.channel().isWritable()) {
            resumeScheduled = true;
            ctx.executor().execute(resume);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputShut = true;
            if (closing) {
                ctx.close();
            } else {
                drain();
                flushIfPending();
            }
        } else if (evt == STOP) {
            if (!closing) {
                closeAfterWrites(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER), true);
            }
        } else if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        if (!(cause instanceof IOException)) {
            // Not the network but a bug: let the pipeline's tail report it.
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cleanUp();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanUp();
    }

    /** Answers every complete head in {@link #cumulation}, as long as the channel takes more output. */
    private void drain() {
        boolean incomplete = false;
        while (!closing && cumulation != null && cumulation.isReadable()) {
            if (!ctx.channel().isWritable()) {
                pause();
                break;
            }
            RequestDecoder.Result result = decoder.decode(cumulation, inputShut);
            if (result == RequestDecoder.Result.REQUEST) {
                answer();
            } else if (result == RequestDecoder.Result.FAILURE) {
                fail(decoder.failure(), decoder.requestLineIndex(), decoder.requestLineLength());
            } else {
                incomplete = true;
                break;
            }
        }
        if (cumulation != null) {
            if (cumulation.isReadable()) {
                cumulation.discardSomeReadBytes();
            } else {
                releaseCumulation();
            }
        }
        // Incomplete with nothing left buffered means the decoder consumed only blank lines: still a request
        // head in the making, so the request timeout keeps running (else "\r\n" every few seconds holds a slot).
        if (incomplete) {
            if (requestStart == NONE) {
                requestStart = lastActivity;
                arm(requestStart + setup.requestTimeoutNanos());
            }
            return;
        }
        // Bytes held back by back-pressure are not a slow request: the idle limit applies meanwhile.
        requestStart = NONE;
        if (inputShut && !closing && cumulation == null) {
            // The peer has sent its last request and everything it asked for is answered.
            closeAfterWrites(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER), false);
        }
    }

    private void answer() {
        ResponseTable table = setup.responses().current();
        boolean keepAlive = decoder.keepAlive();
        ByteBuf response = table.probe(decoder.http11(), keepAlive, decoder.method() == RequestDecoder.Method.HEAD);
        table.countServed();
        setup.listener().served(remote, table.state());
        if (accessLogOn) {
            log(decoder.requestLineIndex(), decoder.requestLineLength(), table.state().code(), response);
        }
        requestStart = NONE;
        answeredAny = true;
        if (keepAlive) {
            ctx.write(response, ctx.voidPromise());
            pendingFlush = true;
        } else {
            // More bytes after a closing request: let the client read the answer before it sees our close.
            closeAfterWrites(ctx.writeAndFlush(response), cumulation.isReadable());
        }
    }

    private void fail(Failure failure, int lineIndex, int lineLength) {
        setup.rejections().failed(failure);
        ByteBuf response = setup.responses().current().failure(failure, decoder.http11());
        if (accessLogOn) {
            log(lineIndex, lineLength, failure.code, response);
        }
        // The client may still be sending the rest of what we refused.
        closeAfterWrites(ctx.writeAndFlush(response), true);
    }

    private void log(int lineIndex, int lineLength, int status, ByteBuf response) {
        ByteBuf line = cumulation == null ? Unpooled.EMPTY_BUFFER : cumulation;
        int length = lineIndex >= 0 && lineIndex + lineLength <= line.writerIndex() ? lineLength : 0;
        setup.accessLog().log(remote, line, lineIndex, length, status, response.readableBytes());
    }

    /**
     * Ends the connection once {@code lastWrite} (and everything before it) is written. With {@code linger},
     * only our side is shut first and input is read and discarded until the client closes: closing with unread
     * input would send a reset that can destroy the answer before the client reads it (RFC 9112 9.6).
     */
    private void closeAfterWrites(ChannelFuture lastWrite, boolean linger) {
        closing = true;
        pendingFlush = false;
        releaseCumulation();
        closeDeadline = now() + setup.requestTimeoutNanos();
        arm(closeDeadline);
        lingering = linger && !inputShut && ctx.channel() instanceof DuplexChannel;
        lastWrite.addListener(afterLastAnswer);
    }

    private void afterLastAnswer(ChannelFuture written) {
        if (!lingering || !written.isSuccess()) {
            ctx.close();
            return;
        }
        ((DuplexChannel) ctx.channel()).shutdownOutput();
        ctx.channel().config().setAutoRead(true);
    }

    private void pause() {
        paused = true;
        ctx.channel().config().setAutoRead(false);
    }

    private void resume() {
        resumeScheduled = false;
        if (closing || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
            return;
        }
        paused = false;
        lastActivity = now();
        drain();
        flushIfPending();
        if (!paused && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void flushIfPending() {
        if (pendingFlush) {
            pendingFlush = false;
            ctx.flush();
        }
    }

    private void arm(long deadline) {
        if (timer != null) {
            if (timerDeadline - deadline <= 0) {
                return; // it fires in time and re-arms itself for later deadlines
            }
            timer.cancel(false);
        }
        timerDeadline = deadline;
        timer = ctx.executor().schedule(checkTimeouts, deadline - now(), NANOSECONDS);
    }

    private void checkTimeouts() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = now();
        long deadline;
        if (closing) {
            deadline = closeDeadline;
            if (now - deadline >= 0) {
                ctx.close();
                return;
            }
        } else if (requestStart != NONE) {
            deadline = requestStart + setup.requestTimeoutNanos();
            if (now - deadline >= 0) {
                fail(Failure.REQUEST_TIMEOUT, cumulation == null ? 0 : cumulation.readerIndex(),
                        cumulation == null ? 0 : decoder.requestLineLength());
                return;
            }
        } else {
            // A connection that never asked anything gets the request timeout, and no 408: nothing to answer.
            deadline = lastActivity + (answeredAny ? setup.idleTimeoutNanos() : setup.requestTimeoutNanos());
            if (now - deadline >= 0) {
                ctx.close();
                return;
            }
        }
        arm(deadline);
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    private void cleanUp() {
        releaseCumulation();
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
