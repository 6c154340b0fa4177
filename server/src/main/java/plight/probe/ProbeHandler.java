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
 * <p>Answers are written without flushing and flushed once per read batch. Back-pressure is per connection:
 * while the channel is not writable the handler neither decodes nor reads, so a client that pipelines without
 * reading is held back by TCP instead of by our memory; and one turn of the event loop answers at most
 * {@link #MAX_ANSWERS_PER_TURN} requests of a connection, the rest waiting (unread) for its next turn in
 * {@link Turns}, so deep pipelines cannot keep the other connections waiting. All time limits share one
 * scheduled task per connection that re-arms itself from timestamps, so a busy connection costs no timer
 * operations per request.
 */
final class ProbeHandler extends ChannelInboundHandlerAdapter implements Turns.Waiting {
    /** Enough for any probe and a pipeline of a few dozen; each answer costs ~1 µs of the event loop's time. */
    static final int MAX_ANSWERS_PER_TURN = 32;

    /**
     * What ending a connection at its time limit (a {@code 408} and a close) counts for against a turn's budget of
     * answers: it costs the loop about as much as this many answers.
     */
    static final int EXPIRY_COST = 16;

    private static final long NONE = Long.MIN_VALUE;

    private final ProbeSetup setup;
    private final boolean accessLogOn;
    /** The protocol is known: HTTP/1.x, or no HTTP/2 on this port. Until then the first bytes may be the preface. */
    private boolean protocolKnown;
    private final RequestDecoder decoder = new RequestDecoder();
    private final Runnable checkTimeouts = this::checkTimeouts;
    private final ChannelFutureListener afterLastAnswer = this::afterLastAnswer;

    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    /** Received bytes not yet consumed; {@code null} when there are none. */
    private ByteBuf cumulation;
    /** {@link #cumulation} is a copy of exactly the bytes kept, made by {@link #keepUnanswered}. */
    private boolean cumulationExact;
    private boolean pendingFlush;
    /** Requests answered since this connection's turn began (a read batch, or a resumption). */
    private int answeredThisTurn;
    /** Reading stopped: the channel was not writable, or this turn's answers were used up. */
    private boolean paused;
    /** In its event loop's {@link Turns} queue. */
    private boolean queued;
    /** That queue, looked up at the first pause. */
    private Turns.Queue turns;
    /** The server is stopping: answer what is buffered, then end the connection. */
    private boolean stopping;
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
    /** A time limit passed: the connection waits in {@link Turns} to be ended. */
    private boolean expired;

    ProbeHandler(ProbeSetup setup) {
        this.setup = setup;
        this.accessLogOn = setup.accessLog() != AccessLog.OFF;
        this.protocolKnown = setup.http2() == null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        remote = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        // A connection accepted before it sent anything has waited out the kernel's deferral already. One that
        // did send is read at once, and that read restarts the clock.
        lastActivity = now() - setup.acceptDeferralNanos();
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
        cumulationExact = false;
        if (!protocolKnown && !decideProtocol()) {
            return;
        }
        drain(true);
    }

    /**
     * Looks at the connection's first bytes once: the HTTP/2 preface hands the connection to {@link Http2Switch};
     * anything else stays here. Returns whether to go on decoding HTTP/1.x.
     */
    private boolean decideProtocol() {
        Http2Switch.Preface preface = Http2Switch.Preface.of(cumulation);
        if (preface == Http2Switch.Preface.NO) {
            protocolKnown = true;
            return true;
        }
        if (preface == Http2Switch.Preface.PARTIAL) {
            if (inputShut) {
                protocolKnown = true; // it will never be the preface: let HTTP/1.x answer what there is
                return true;
            }
            if (requestStart == NONE) {
                requestStart = lastActivity;
                arm(requestStart + setup.requestTimeoutNanos());
            }
            return false;
        }
        protocolKnown = true;
        ByteBuf input = cumulation;
        cumulation = null;
        closing = true; // nothing more for this handler to do, whatever events are still on their way to it
        setup.http2().priorKnowledge(ctx, input, turns());
        return false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfPending();
        answeredThisTurn = 0;
        keepUnanswered();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Resume from a task of our own: this event can fire from inside a flush, midway through a write.
        if (paused && ctx.channel().isWritable()) {
            scheduleResume();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputShut = true;
            protocolKnown = true; // a preface cut short is answered as the HTTP/1.x it then is
            if (closing) {
                ctx.close();
            } else {
                drain(true);
                flushIfPending();
            }
        } else if (evt == ProbeServer.STOP) {
            stopping = true;
            // Requests held back for a later turn are answered first; takeTurn() ends the connection then.
            if (!closing && !paused) {
                closeAfterWrites(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER), true);
            }
        } else if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ctx.channel().isOpen()) {
            // Closed already: each answer still queued is failed with the same ClosedChannelException, which its
            // void promise reports here. Closing again would cost an exception and a pipeline pass per answer
            // (a never-reader holds ~100), and thousands of such clients leaving at once stall the loop.
            return;
        }
        ctx.close();
        if (!(cause instanceof IOException)) {
            // Not the network: out of memory for buffers, or a bug. Counted, and reported once a minute per
            // kind, instead of the pipeline tail's stack trace per connection.
            setup.errors().closed(cause);
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

    /**
     * Answers every complete head in {@link #cumulation}, as long as the channel takes more output and this
     * turn's budgets last: the connection's own, and in a read ({@code inRead}) the loop's for answers in reads
     * beyond each read's first.
     */
    private void drain(boolean inRead) {
        boolean incomplete = false;
        while (!closing && cumulation != null && cumulation.isReadable()) {
            if (answeredThisTurn >= MAX_ANSWERS_PER_TURN || !ctx.channel().isWritable()
                    || inRead && answeredThisTurn > 0 && !turns().takeInline()) {
                pause();
                break;
            }
            RequestDecoder.Result result = decoder.decode(cumulation, inputShut);
            if (result == RequestDecoder.Result.REQUEST) {
                answeredThisTurn++;
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
        if (decoder.upgradesToH2c() && setup.http2() != null && upgrade()) {
            return;
        }
        ResponseTable table = setup.responses().current();
        boolean keepAlive = decoder.keepAlive();
        ByteBuf response = table.probe(decoder.http11(), keepAlive, decoder.method() == RequestDecoder.Method.HEAD);
        table.countServed();
        if (decoder.identifiesProber()) {
            setup.listener().served(remote, table.state(), decoder.userAgent(cumulation), decoder.serverState(cumulation));
        } else {
            setup.listener().served(remote, table.state());
        }
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

    /**
     * Hands the connection to HTTP/2, which answers {@code 101} and then the probe on stream 1; {@code false}
     * when it refused (malformed settings), and the probe is answered here.
     */
    private boolean upgrade() {
        Http2Switch.Upgrade request = new Http2Switch.Upgrade(decoder.method() == RequestDecoder.Method.HEAD,
                decoder.http2Settings(cumulation), decoder.userAgent(cumulation));
        // Answers already written (pipelined before this one) go out first: they are ahead in the same queue.
        if (!setup.http2().upgrade(ctx, request, cumulation, turns())) {
            return false;
        }
        releaseCumulation();
        closing = true;
        pendingFlush = false;
        return true;
    }

    private void fail(Failure failure, int lineIndex, int lineLength) {
        setup.rejections().failed(failure);
        boolean head = cumulation != null && RequestDecoder.isHead(cumulation);
        ByteBuf response = setup.responses().current().failure(failure, decoder.http11(), head);
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

    /**
     * Stops reading until the rest of the buffered requests are answered. Unwritable: the resumption waits for
     * {@link #channelWritabilityChanged}. Out of answers for this turn: it waits for the next turn.
     */
    private void pause() {
        if (!paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
        if (ctx.channel().isWritable()) {
            scheduleResume();
        }
    }

    /** Resumes in a later turn of the event loop (see {@link Turns}). */
    private void scheduleResume() {
        if (!queued) {
            queued = true;
            turns().add(this);
        }
    }

    private Turns.Queue turns() {
        if (turns == null) {
            turns = setup.turns().of(ctx.executor());
        }
        return turns;
    }

    /** This connection's share of a turn of the event loop, from {@link Turns}. */
    @Override
    public int takeTurn() {
        queued = false;
        if (expired) {
            expired = false;
            if (expire()) {
                return EXPIRY_COST;
            }
            if (!paused) {
                return 0; // queued for the timer only
            }
        }
        if (closing || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
            return 0;
        }
        try {
            paused = false;
            answeredThisTurn = 0;
            lastActivity = now();
            drain(false);
            flushIfPending();
            if (paused || closing) {
                keepUnanswered();
            } else if (stopping) {
                closeAfterWrites(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER), true);
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        } catch (Throwable t) {
            // A task of our own: what the pipeline would do for a handler method, not the executor's stack trace.
            exceptionCaught(ctx, t);
        }
        return answeredThisTurn;
    }

    /**
     * Input kept past the read that brought it (requests held back for a later turn or until the client reads,
     * the start of an incomplete head) moves into a buffer of exactly its size, outside the pool, and the read
     * buffer goes back. It may be kept until a timeout, and hundreds of connections that each held on to a
     * read buffer would pin as many of the pool's chunks, far larger than what they hold, and exhaust the
     * direct memory. Probes and short pipelines never get here: they leave nothing behind.
     */
    private void keepUnanswered() {
        if (closing || cumulation == null || cumulationExact || !cumulation.isReadable()) {
            return;
        }
        int unanswered = cumulation.readableBytes();
        ByteBuf exact = Unpooled.directBuffer(unanswered, unanswered);
        exact.writeBytes(cumulation, cumulation.readerIndex(), unanswered);
        cumulation.release();
        cumulation = exact;
        cumulationExact = true;
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

    /**
     * The timer: a limit that has passed is acted on in a turn from {@link Turns}, not here. A thousand slowloris
     * connections started together time out together, and their {@code 408}s and closes, done here, would all run
     * in one turn of the loop, ahead of every probe waiting for it.
     */
    private void checkTimeouts() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long deadline = deadline();
        if (now() - deadline >= 0) {
            expired = true;
            if (!queued) {
                queued = true;
                turns().add(this);
            }
        } else {
            arm(deadline);
        }
    }

    /** When the limit that applies now runs out: closing, an incomplete request, or no request yet. */
    private long deadline() {
        if (closing) {
            return closeDeadline;
        }
        if (requestStart != NONE) {
            return requestStart + setup.requestTimeoutNanos();
        }
        // A connection that never asked anything gets the request timeout.
        return lastActivity + (answeredAny ? setup.idleTimeoutNanos() : setup.requestTimeoutNanos());
    }

    /** Ends the connection if its limit has passed (re-checked: a read may have come meanwhile), else re-arms. */
    private boolean expire() {
        if (!ctx.channel().isActive()) {
            return false;
        }
        long deadline = deadline();
        if (now() - deadline < 0) {
            arm(deadline);
            return false;
        }
        if (!closing && requestStart != NONE) {
            fail(Failure.REQUEST_TIMEOUT, cumulation == null ? 0 : cumulation.readerIndex(),
                    cumulation == null ? 0 : decoder.requestLineLength());
        } else {
            ctx.close(); // nothing to answer: no request yet, idle, or the last answer's linger is over
        }
        return true;
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
