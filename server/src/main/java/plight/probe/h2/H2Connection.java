package plight.probe.h2;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import plight.grpc.GrpcStatus;
import plight.grpc.Health;
import plight.grpc.HealthMessages;
import plight.probe.Http2Switch;
import plight.probe.ProbeServer;
import plight.probe.Turns;

/**
 * One HTTP/2 connection on the probe port: answers each stream from the current table as it arrives, without
 * a channel per stream. GET, HEAD and OPTIONS get the state's answer; POSTs of gRPC go to the health service.
 *
 * <p>Limits, as for HTTP/1: the request timeout for a connection that has asked nothing, for an incomplete
 * frame or header block and for a gRPC request message; the idle timeout once no stream is open; a bounded number of streams
 * and header list size; Netty's limits on RST_STREAM floods, queued control frames and empty DATA frames, and
 * ours on PING, SETTINGS, WINDOW_UPDATE, PRIORITY and unknown frames. A client that does not read: input stops while the
 * channel is not writable, and a watch keeps only its latest status, sent when the stream's window allows.
 */
final class H2Connection extends Http2ConnectionHandler
        implements Http2FrameListener, Http2RemoteFlowController.Listener, Turns.Waiting {
    /**
     * PING, SETTINGS (and their acknowledgements), WINDOW_UPDATE, PRIORITY and unknown frames allowed per
     * {@link #CONTROL_WINDOW_NANOS}; far above any client's.
     */
    static final int MAX_CONTROL_FRAMES = 1000;
    private static final long CONTROL_WINDOW_NANOS = 10_000_000_000L;
    /** RST_STREAM frames allowed per window (Netty's default): the 2023 "rapid reset" pattern ends here. */
    static final int MAX_RESETS = 200;
    private static final int RESET_WINDOW_SECONDS = 30;
    /** Control frames (PING and SETTINGS acknowledgements, resets) waiting for a client that does not read. */
    private static final int MAX_QUEUED_CONTROL_FRAMES = 1000;
    /** Time given to streams still open after our GOAWAY when closing. */
    private static final long GRACEFUL_CLOSE_MILLIS = 100;
    private static final long NONE = Long.MIN_VALUE;
    /**
     * Frames decoded per turn of the event loop (a gRPC call is two, HEADERS and DATA; a GET one): as HTTP/1's
     * answers per turn, so that a flood of calls on one connection cannot keep new probes waiting.
     */
    static final int MAX_FRAMES_PER_TURN = 64;

    private static final AsciiString GET = AsciiString.cached("GET");
    private static final AsciiString HEAD = AsciiString.cached("HEAD");
    private static final AsciiString OPTIONS = AsciiString.cached("OPTIONS");
    private static final AsciiString POST = AsciiString.cached("POST");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString USER_AGENT = AsciiString.cached("user-agent");
    private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");

    private static final Http2Headers UNKNOWN_METHOD = Health.trailers(GrpcStatus.UNIMPLEMENTED, "unknown method", true);
    private static final Http2Headers COMPRESSED = Health.trailers(GrpcStatus.UNIMPLEMENTED,
            "compressed messages are not supported", true);
    private static final Http2Headers UNKNOWN_SERVICE = Health.trailers(GrpcStatus.NOT_FOUND, "unknown service", true);
    private static final Http2Headers NOT_SERVING = Health.trailers(GrpcStatus.UNAVAILABLE, "NOT_SERVING", true);
    private static final Http2Headers TOO_LARGE = Health.trailers(GrpcStatus.RESOURCE_EXHAUSTED, "request too large", true);
    private static final Http2Headers MALFORMED = Health.trailers(GrpcStatus.INTERNAL, "malformed request", true);
    // As grpc-java's servers answer a unary call without its one request message, or with more.
    private static final Http2Headers NO_MESSAGE = Health.trailers(GrpcStatus.INTERNAL, "no request message", true);
    private static final Http2Headers MORE_MESSAGES = Health.trailers(GrpcStatus.INTERNAL,
            "more than one request message", true);
    private static final Http2Headers DEADLINE = Health.trailers(GrpcStatus.DEADLINE_EXCEEDED, "deadline exceeded", false);
    private static final Http2Headers TOO_MANY_WATCHES = Health.trailers(GrpcStatus.RESOURCE_EXHAUSTED,
            "too many watches on this node", true);
    private static final Http2Headers TOO_MANY_WATCHING = Health.trailers(GrpcStatus.RESOURCE_EXHAUSTED,
            "too many connections holding watches on this node, or from this client", true);
    private static final Http2Headers STOPPING = Health.trailers(GrpcStatus.UNAVAILABLE, "plight is stopping", false);

    private final H2Server server;
    private final Health health;
    /** The event loop's queue of connections waiting for a turn, shared with HTTP/1. */
    private final Turns.Queue turns;
    private final ChannelHandler holdReads = new HoldReads();
    /** Frames decoded since this connection's turn began (a read batch, or a resumption). */
    private int framesThisTurn;
    /** Out of frames for this turn: decoding and reading wait for {@link #takeTurn}. */
    private boolean waitingTurn;
    /** gRPC calls waiting for their request message, and watches. */
    private final IntObjectMap<Call> calls = new IntObjectHashMap<>(4);
    private final Runnable checkTimeouts = this::checkTimeouts;
    private final Runnable stateChanged = this::stateChanged;
    /** Marks the streams counted against the server's limit. */
    private final Http2Connection.PropertyKey countedStream;
    private int streams;
    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    private int watches;
    private boolean grpc;
    private boolean counted;
    private boolean answeredAny;
    private boolean stopping;
    private boolean updateQueued;
    /** A watch was refused while this connection held none: it is closed (GOAWAY) at the end of the turn. */
    private boolean watchRefused;
    private long lastActivity;
    /** Since when an incomplete frame or header block has been waiting, or {@link #NONE}. */
    private long partialSince = NONE;
    // Where the input is in its frames, for a header block left open (HEADERS without END_HEADERS, then nothing),
    // which Netty holds without telling: bytes of the current frame (or of the preface) still to come, the next
    // frame header as far as received.
    private int frameLeft = Http2Switch.PREFACE.length;
    private final byte[] frameHeader = new byte[9];
    private int frameHeaderFill;
    private boolean headerBlockOpen;
    /** Bytes of the preface not yet passed to Netty's decoder, which checks it before any frame. */
    private int prefaceLeft = Http2Switch.PREFACE.length;
    /** In {@link #decode}: a flush there that makes the channel writable again need not resume decoding. */
    private boolean decoding;
    private long controlWindowStart;
    private int controlFrames;
    private ScheduledFuture<?> timer;
    private long timerDeadline;

    /**
     * One gRPC call: its method, its request message as it arrives, and for a watch what was last sent. Or a probe
     * whose request has not ended yet ({@link #method} {@code null}): answered at its end, 400 if it has a body.
     */
    private static final class Call {
        final int stream;
        final Health.Method method;
        boolean head;
        final long messageDeadline;
        final long deadline;
        final CharSequence userAgent;
        ByteBuf message;
        boolean watching;
        String service;
        int lastSent;

        Call(int stream, Health.Method method, long messageDeadline, long deadline, CharSequence userAgent) {
            this.stream = stream;
            this.method = method;
            this.messageDeadline = messageDeadline;
            this.deadline = deadline;
            this.userAgent = userAgent;
        }
    }

    private H2Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                         H2Server server, Turns.Queue turns) {
        // Not decoupling close and GOAWAY (Netty's default); not flushing our SETTINGS when the handler is added:
        // they wait for the first flush (the end of the read that brought the preface, or the upgrade's answer)
        // and leave with the SETTINGS ack and the answer in one write. A prober that opens a connection per
        // check pays for each write the server makes.
        super(decoder, encoder, settings, false, false);
        this.server = server;
        this.turns = turns;
        this.health = server.health();
        encoder.flowController().listener(this);
        countedStream = connection().newKey();
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Call call = calls.remove(stream.id());
                if (call != null) {
                    release(call);
                    if (call.watching) {
                        watchEnded();
                    }
                }
                if (streams > 0 && stream.getProperty(countedStream) != null) {
                    streams--;
                    server.streamsClosed(1);
                }
            }
        });
    }

    static H2Connection create(H2Server server, Turns.Queue turns) {
        return new Builder(server, turns).build();
    }

    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<H2Connection, Builder> {
        private final H2Server server;
        private final Turns.Queue turns;

        Builder(H2Server server, Turns.Queue turns) {
            this.server = server;
            this.turns = turns;
            // A server's connection (as server(true) makes) whose answers are shared out evenly between streams:
            // priorities are deprecated (RFC 9113 5.3), and Netty's default distributor, which weighs them, built a
            // priority queue per stream and per connection, a quarter of what a new connection allocated.
            DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
                    new UniformStreamByteDistributor(connection)));
            connection(connection);
            initialSettings(new Http2Settings().maxConcurrentStreams(H2Server.MAX_CONCURRENT_STREAMS)
                    .maxHeaderListSize(H2Server.MAX_HEADER_LIST_SIZE).headerTableSize(H2Server.HEADER_TABLE_SIZE));
            encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES);
            decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS);
            // Resets we send: streams refused beyond the limit (a client that opens streams it does not read
            // the answers of), or malformed ones made to be reset (2025's "MadeYouReset").
            encoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS);
            decoderEnforceMaxConsecutiveEmptyDataFrames(2);
            // Here, not in the handler's constructor: build() sets the builder's value (30 s) on the handler after it.
            gracefulShutdownTimeoutMillis(GRACEFUL_CLOSE_MILLIS);
        }

        @Override
        protected H2Connection build() {
            return super.build();
        }

        @Override
        protected H2Connection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                     Http2Settings initialSettings) {
            H2Connection connection = new H2Connection(decoder, encoder, initialSettings, server, turns);
            frameListener(connection);
            return connection;
        }
    }

    // ---- taking over from HTTP/1 ----

    /**
     * Prior knowledge, in a turn of the event loop after the connection's first read: {@code input} (which starts
     * with the preface) is decoded as that read would have been, and reading goes on unless this connection must
     * wait (its frames for this turn decoded, or the client not reading). Returns the frames decoded.
     */
    int takeOver(ByteBuf input) {
        ctx.pipeline().fireChannelRead(input);
        int frames = framesThisTurn;
        ctx.pipeline().fireChannelReadComplete();
        if (!waitingTurn && ctx.channel().isActive() && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
        return frames;
    }

    /** After {@code 101}: the upgrade request is stream 1, half closed, and is answered at once. */
    void upgraded(Http2Settings settings, Http2Switch.Upgrade request, ByteBuf rest) {
        try {
            onHttpServerUpgrade(settings);
        } catch (Http2Exception e) {
            ctx.close();
            return;
        }
        probe(1, request.head(), request.userAgent());
        flush(ctx); // through this handler: DATA waits in the flow controller until then
        if (rest.isReadable()) {
            ctx.pipeline().fireChannelRead(rest.retainedSlice());
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        remote = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        counted = true;
        server.countOpened();
        lastActivity = now();
        controlWindowStart = lastActivity;
        super.handlerAdded(ctx);
        streamsCountedHere();
        arm(lastActivity + server.requestTimeoutNanos());
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cleanUp();
        super.handlerRemoved0(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cleanUp();
        super.channelInactive(ctx);
    }

    private void cleanUp() {
        if (counted) {
            counted = false;
            server.countClosed(grpc);
            server.connectionClosed();
        }
        if (watches > 0) {
            server.watchesEnded(watches);
            watches = 0;
            server.stoppedWatching(this, peer());
        }
        if (streams > 0) {
            server.streamsClosed(streams);
            streams = 0;
        }
        for (Call call : calls.values()) {
            release(call);
        }
        calls.clear();
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (io.netty.handler.codec.http2.Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause); // a protocol error: GOAWAY or RST_STREAM, as the RFC says
        } else {
            ctx.close(); // the network (a reset), or out of buffers: that connection ends, quietly, as on HTTP/1
        }
    }

    // ---- input ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        followFrames((ByteBuf) msg);
        super.channelRead(ctx, msg);
        // Stop at once, not at the end of the read loop (up to 16 reads): what is read is answered.
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
        // Complete frames held back while not writable are not a partial frame.
        if (headerBlockOpen || frameLeft > 0 || frameHeaderFill > 0) {
            if (partialSince == NONE) {
                partialSince = now();
                arm(partialSince + server.requestTimeoutNanos());
            }
        } else {
            partialSince = NONE;
        }
    }

    /**
     * One frame at a time, and none while the channel is not writable: Netty's frame reader would decode all the
     * input read at once (a read of {@link ProbeServer#MAX_READ} holds hundreds of GETs), and answer each. The
     * answers so far go from the flow controller to the channel first, so that its writability counts them. Frames
     * held back are decoded when the channel is writable again ({@link #channelWritabilityChanged}).
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        encoder().flowController().writePendingBytes();
        if (!ctx.channel().isWritable() || waitingTurn) {
            return;
        }
        if (framesThisTurn >= MAX_FRAMES_PER_TURN) {
            // The rest waits, unread, for a later turn: the connections behind this one go first.
            pauseForTurn();
            return;
        }
        int readable = in.readableBytes();
        int n;
        if (prefaceLeft > 0) {
            n = Math.min(prefaceLeft, readable); // the preface is checked as it arrives
            prefaceLeft -= n;
        } else if (readable < 9) {
            return;
        } else {
            int length = in.getUnsignedMedium(in.readerIndex());
            // Our SETTINGS_MAX_FRAME_SIZE is the protocol's default.
            if (length > Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE) {
                n = readable; // refused by its header (FRAME_SIZE_ERROR), not awaited
            } else if (readable < 9 + length) {
                return; // the rest of the frame is still to come
            } else {
                n = 9 + length;
            }
        }
        ByteBuf frame = in.slice(in.readerIndex(), n);
        framesThisTurn++;
        decoding = true;
        try {
            super.decode(ctx, frame, out);
        } finally {
            decoding = false;
            in.skipBytes(frame.readerIndex());
        }
    }

    /** Walks the frame headers in {@code in} (without consuming it) to know whether a header block is open. */
    private void followFrames(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end) {
            if (frameLeft > 0) {
                int n = Math.min(frameLeft, end - i);
                frameLeft -= n;
                i += n;
                continue;
            }
            frameHeader[frameHeaderFill++] = in.getByte(i++);
            if (frameHeaderFill == frameHeader.length) {
                frameHeaderFill = 0;
                frameLeft = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | frameHeader[2] & 0xff;
                byte type = frameHeader[3];
                boolean endHeaders = (frameHeader[4] & 0x4) != 0;
                if (type == 0x1 || type == 0x5) { // HEADERS, PUSH_PROMISE
                    headerBlockOpen = !endHeaders;
                } else if (type == 0x9 && endHeaders) { // CONTINUATION
                    headerBlockOpen = false;
                }
            }
        }
    }

    /**
     * Sits before the connection's handler and keeps its reads held back: Netty's ByteToMessageDecoder asks for a
     * read after every read that produced no message while auto-read is off — which is always so here (frames go to
     * the listener, not down the pipeline), so a client that never reads would have its input read on and on into
     * the decoder's buffer. While auto-read is off and the channel is not writable or the connection waits for its
     * turn, no read goes out; setting auto-read again (writable again, the turn, or a lingering close) reads as usual.
     */
    ChannelHandler holdReads() {
        return holdReads;
    }

    private final class HoldReads extends ChannelOutboundHandlerAdapter {
        @Override
        public void read(ChannelHandlerContext ctx) {
            if (!ctx.channel().config().isAutoRead() && (waitingTurn || !ctx.channel().isWritable())) {
                return;
            }
            ctx.read();
        }
    }

    private void pauseForTurn() {
        waitingTurn = true;
        ctx.channel().config().setAutoRead(false);
        turns.add(this);
    }

    /** This connection's share of a turn of the event loop, from {@link Turns}: frames held back are decoded. */
    @Override
    public int takeTurn() {
        waitingTurn = false;
        framesThisTurn = 0;
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            return 0;
        }
        if (!ctx.channel().isWritable()) {
            return 0; // channelWritabilityChanged resumes, as for any client that does not read
        }
        int frames = 0;
        try {
            if (internalBuffer().isReadable()) {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
                frames = framesThisTurn;
                channelReadComplete(ctx);
            }
            if (!waitingTurn && ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        } catch (Throwable t) {
            // A task of our own: what the pipeline would do for a handler method, not the executor's stack trace.
            try {
                exceptionCaught(ctx, t);
            } catch (Exception e) {
                ctx.close();
            }
        }
        return frames;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        framesThisTurn = 0;
        if (watchRefused && watches == 0 && ctx.channel().isActive()) {
            ctx.channel().close(); // GOAWAY first; the answers written go out before it
            return;
        }
        // A client that does not read gets no more answers queued: its input waits in TCP, as on HTTP/1.
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        super.channelWritabilityChanged(ctx);
        if (ctx.channel().isWritable()) {
            if (!waitingTurn) { // else its turn resumes reading
                if (!decoding && internalBuffer().isReadable()) {
                    // Frames held back while not writable: the client may send nothing more to have them decoded.
                    // In a turn of their own, as HTTP/1 resumes: decoded here, they would skip the connections
                    // waiting for theirs (this fires after every flush that drains the outbound buffer).
                    pauseForTurn();
                } else {
                    ctx.channel().config().setAutoRead(true);
                }
            }
            if (watches > 0) {
                stateChangedLater();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ProbeServer.STOP) {
            stop();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            super.userEventTriggered(ctx, evt);
            // The client has sent all it will; what it asked is answered (watches end as on a stop).
            stop();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    /** Ends every watch with its trailers, then GOAWAY; the connection closes once the streams are done. */
    private void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        for (Call call : calls.values().toArray(new Call[0])) {
            if (call.watching) {
                encoder().writeHeaders(ctx, call.stream, STOPPING, 0, true, ctx.newPromise());
            }
        }
        flush(ctx); // through this handler: DATA waits in the flow controller until then
        ctx.channel().close();
    }

    // ---- frames ----

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) throws Http2Exception {
        Call pending = calls.get(streamId);
        if (pending != null) {
            // Trailers of a request: its message is complete or never will be.
            if (endOfStream && !pending.watching) {
                if (pending.method == null) {
                    forget(pending);
                    probe(streamId, pending.head, pending.userAgent);
                } else {
                    messageEnded(pending);
                }
            }
            return;
        }
        Http2Stream stream = connection().stream(streamId);
        if (stream == null || stream.getProperty(countedStream) != null) {
            return; // trailers of a request already answered: nothing to add
        }
        if (connection().remote().numActiveStreams() > H2Server.MAX_CONCURRENT_STREAMS || !server.streamOpened()) {
            resetStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
            return;
        }
        stream.setProperty(countedStream, Boolean.TRUE);
        streams++;
        lastActivity = now();
        CharSequence method = headers.method();
        if (method == null || headers.path() == null) {
            // RFC 9113 8.3.1: malformed; Netty checks only the pseudo-headers' names and order.
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "a request without :method or :path");
        }
        boolean head = HEAD.contentEquals(method);
        if (head || GET.contentEquals(method) || OPTIONS.contentEquals(method)) {
            if (endOfStream) {
                probe(streamId, head, headers.get(USER_AGENT));
            } else {
                // Answered at the request's end: a probe with a body is a bad request, as over HTTP/1.
                Call probe = new Call(streamId, null, now() + server.requestTimeoutNanos(), NONE, headers.get(USER_AGENT));
                probe.head = head;
                calls.put(streamId, probe);
                arm(probe.messageDeadline);
            }
        } else if (POST.contentEquals(method) && Health.isGrpc(headers.get(CONTENT_TYPE))) {
            startCall(streamId, headers, endOfStream);
        } else if (POST.contentEquals(method) && headers.path() != null
                && AsciiString.regionMatches(headers.path(), false, 0, Health.PATH_PREFIX, 0, Health.PATH_PREFIX.length())) {
            H2Answers a = server.answers();
            refuse(streamId, a.unsupportedMediaType, a.unsupportedMediaTypeBody);
        } else {
            H2Answers a = server.answers();
            refuse(streamId, a.methodNotAllowed, a.methodNotAllowedBody);
        }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        int processed = data.readableBytes() + padding;
        Call call = calls.get(streamId);
        if (call == null || call.watching) {
            return processed; // a body nobody reads (after an answer, or after a watch's request): consumed, dropped
        }
        if (call.method == null) {
            if (data.isReadable()) {
                forget(call);
                H2Answers a = server.answers();
                refuse(streamId, a.badRequest, a.badRequestBody);
            } else if (endOfStream) {
                forget(call);
                probe(streamId, call.head, call.userAgent);
            }
            return processed;
        }
        int length = data.readableBytes();
        int kept = call.message == null ? 0 : call.message.readableBytes();
        if (kept + length > 5 + Health.MAX_MESSAGE) {
            endCall(call, TOO_LARGE);
            return processed;
        }
        if (call.message == null) {
            call.message = ctx.alloc().heapBuffer(Math.min(5 + Health.MAX_MESSAGE, Math.max(64, length)));
        }
        call.message.writeBytes(data);
        ByteBuf m = call.message;
        if (m.readableBytes() >= 5) {
            long declared = m.getUnsignedInt(m.readerIndex() + 1);
            if (m.getByte(m.readerIndex()) != 0) {
                endCall(call, COMPRESSED);
                return processed;
            }
            if (declared > Health.MAX_MESSAGE) {
                endCall(call, TOO_LARGE);
                return processed;
            }
            int end = m.readerIndex() + 5 + (int) declared;
            if (m.writerIndex() >= end) {
                if (call.method == Health.Method.WATCH) {
                    answer(call, m, m.readerIndex() + 5, end); // a watch starts with its message
                } else if (m.writerIndex() > end) {
                    endCall(call, MORE_MESSAGES);
                } else if (endOfStream) {
                    answer(call, m, m.readerIndex() + 5, end);
                }
                // else a unary call is answered at the end of its request, when no second message can come
                return processed;
            }
        }
        if (endOfStream) {
            messageEnded(call);
        }
        return processed;
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                               boolean exclusive) throws Http2Exception {
        countControlFrame();
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        // Netty closes the stream (and counts resets against the flood limit); the stream's call goes with it.
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) throws Http2Exception {
        countControlFrame(); // one per SETTINGS we send (one), but Netty takes any number without complaint
        streamsCountedHere(); // Netty has just applied our SETTINGS, its stream limit with them
    }

    /**
     * SETTINGS_MAX_CONCURRENT_STREAMS is enforced in {@link #onHeadersRead}, not by Netty: Netty refuses a
     * stream beyond it without creating it, and then takes a client's RST_STREAM or DATA on that stream for a
     * stream that never existed, a connection error, which would end the connection's other streams (watches).
     * A stream we create and reset is closed, and late frames on it are ignored or reset alone (RFC 9113 5.4.2).
     */
    private void streamsCountedHere() {
        connection().remote().maxActiveStreams(Integer.MAX_VALUE);
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
        countControlFrame();
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
        countControlFrame();
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers,
                                  int padding) throws Http2Exception {
        throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "a client cannot push");
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement)
            throws Http2Exception {
        countControlFrame(); // our answers are small: a client needs a few, not thousands
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                               ByteBuf payload) throws Http2Exception {
        countControlFrame(); // ignored as RFC 9113 5.5 says, but not without limit
    }

    /** Frames that cost us work and answer nothing: a flood of them ends the connection with GOAWAY. */
    private void countControlFrame() throws Http2Exception {
        long now = now();
        if (now - controlWindowStart > CONTROL_WINDOW_NANOS) {
            controlWindowStart = now;
            controlFrames = 0;
        }
        if (++controlFrames > MAX_CONTROL_FRAMES) {
            throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                    "more than %d PING, SETTINGS, WINDOW_UPDATE, PRIORITY or unknown frames in 10 seconds",
                    MAX_CONTROL_FRAMES);
        }
    }

    // ---- answers ----

    private void probe(int streamId, boolean head, CharSequence userAgent) {
        H2Answers a = server.answers();
        a.h2Served.increment();
        served(a, userAgent);
        boolean body = !head && a.body != null;
        encoder().writeHeaders(ctx, streamId, a.probe, 0, !body, ctx.voidPromise());
        if (body) {
            encoder().writeData(ctx, streamId, a.body.duplicate(), 0, true, ctx.voidPromise());
        }
        answered(streamId);
    }

    private void refuse(int streamId, Http2Headers headers, ByteBuf body) {
        encoder().writeHeaders(ctx, streamId, headers, 0, false, ctx.voidPromise());
        encoder().writeData(ctx, streamId, body.duplicate(), 0, true, ctx.voidPromise());
        answered(streamId);
    }

    /**
     * After a complete answer. A request the client has not finished (a body nobody reads) is left to end as it
     * will: its DATA is consumed and dropped, and the idle timeout closes a connection that holds only such.
     * (RST_STREAM NO_ERROR would be allowed, RFC 9113 8.1, but some clients take it for a failed request.)
     */
    private void answered(int streamId) {
        answeredAny = true;
        lastActivity = now();
    }

    private void served(H2Answers a, CharSequence userAgent) {
        if (userAgent != null) {
            server.listener().served(remote, a.state, userAgent.toString(), null);
        } else {
            server.listener().served(remote, a.state);
        }
    }

    private void startCall(int streamId, Http2Headers headers, boolean endOfStream) {
        if (!grpc) {
            grpc = true;
            if (counted) {
                server.countAsGrpc();
            }
        }
        Health.Method method = Health.method(headers.path());
        if (method == null) {
            trailersOnly(streamId, UNKNOWN_METHOD);
            return;
        }
        // grpc-encoding names what a compressed message would use; each message's flag says whether it is
        // compressed, and a compressed one is refused where it arrives.
        long now = now();
        long timeout = Health.timeoutNanos(headers.get(GRPC_TIMEOUT));
        long deadline = timeout < 0 ? NONE : now + Math.min(timeout, Long.MAX_VALUE / 4);
        Call call = new Call(streamId, method, now + server.requestTimeoutNanos(), deadline, headers.get(USER_AGENT));
        if (endOfStream) {
            trailersOnly(streamId, NO_MESSAGE);
            return;
        }
        calls.put(streamId, call);
        arm(call.messageDeadline);
    }

    /** The request ended before its message was complete. */
    private void messageEnded(Call call) {
        ByteBuf m = call.message;
        if (m == null || !m.isReadable()) {
            endCall(call, NO_MESSAGE);
        } else if (m.readableBytes() >= 5 && m.readableBytes() == 5 + m.getUnsignedInt(m.readerIndex() + 1)) {
            answer(call, m, m.readerIndex() + 5, m.writerIndex()); // a unary call's one message, then trailers
        } else {
            endCall(call, MALFORMED);
        }
    }

    private void answer(Call call, ByteBuf in, int from, int to) {
        String service = HealthMessages.service(in, from, to);
        if (service == null) {
            endCall(call, MALFORMED);
            return;
        }
        H2Answers a = server.answers();
        int stream = call.stream;
        int status = health.status(service, a.state);
        a.grpcServed.increment();
        served(a, call.userAgent);
        switch (call.method) {
            case CHECK -> {
                if (status == HealthMessages.SERVICE_UNKNOWN) {
                    endCall(call, UNKNOWN_SERVICE);
                } else if (status == HealthMessages.NOT_SERVING && health.notServingUnavailable()) {
                    endCall(call, NOT_SERVING);
                } else {
                    unary(call, Health.checkFrame(status));
                }
            }
            case LIST -> unary(call, health.listFrame(a.state.servesGrpc()));
            case WATCH -> {
                if (watches == 0 && !server.startWatching(this, peer())) {
                    refuseWatch(call, TOO_MANY_WATCHING);
                    return;
                }
                if (!server.watchStarted()) {
                    if (watches == 0) {
                        server.stoppedWatching(this, peer());
                    }
                    refuseWatch(call, TOO_MANY_WATCHES);
                    return;
                }
                // Unknown services are watched too: SERVICE_UNKNOWN now, and the stream stays open (the protocol's rule).
                releaseMessage(call);
                call.watching = true;
                call.service = service;
                call.lastSent = status;
                calls.put(stream, call);
                watches++;
                encoder().writeHeaders(ctx, stream, Health.RESPONSE_HEADERS, 0, false, ctx.voidPromise());
                encoder().writeData(ctx, stream, Health.checkFrame(status), 0, false, ctx.voidPromise());
                answered(stream);
                if (call.deadline != NONE) {
                    arm(call.deadline);
                }
                if (!decoding) {
                    flush(ctx); // through this handler: DATA waits in the flow controller until then
                } // else with the other answers of this read or turn, in one write (channelReadComplete)
            }
        }
    }

    /**
     * A watch refused with status 8. A connection that holds no watch is then closed once its turn is over, with
     * GOAWAY: kept open, a connection opened to watch would hold its HTTP/2 slot idle until {@code idle_timeout}.
     */
    private void refuseWatch(Call call, Http2Headers trailers) {
        endCall(call, trailers);
        if (watches == 0) {
            watchRefused = true;
        }
    }

    private InetAddress peer() {
        return remote == null ? null : remote.getAddress();
    }

    private void unary(Call call, ByteBuf frame) {
        forget(call);
        encoder().writeHeaders(ctx, call.stream, Health.RESPONSE_HEADERS, 0, false, ctx.voidPromise());
        encoder().writeData(ctx, call.stream, frame, 0, false, ctx.voidPromise());
        encoder().writeHeaders(ctx, call.stream, Health.TRAILERS_OK, 0, true, ctx.voidPromise());
        answered(call.stream);
    }

    /** Ends a call with trailers only: an error, or NOT_SERVING as status 14. */
    private void endCall(Call call, Http2Headers trailers) {
        forget(call);
        trailersOnly(call.stream, trailers);
    }

    private void trailersOnly(int streamId, Http2Headers trailers) {
        encoder().writeHeaders(ctx, streamId, trailers, 0, true, ctx.voidPromise());
        answered(streamId);
    }

    private void forget(Call call) {
        calls.remove(call.stream);
        release(call);
    }

    private static void release(Call call) {
        releaseMessage(call);
    }

    private static void releaseMessage(Call call) {
        if (call.message != null) {
            call.message.release();
            call.message = null;
        }
    }

    // ---- watches ----

    private void watchEnded() {
        server.watchesEnded(1);
        if (--watches == 0) {
            server.stoppedWatching(this, peer());
        }
    }

    /** From any thread: this connection's watches look at the current state on its event loop. */
    void stateChangedLater() {
        try {
            ctx.executor().execute(stateChanged);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the event loop is shutting down: the connection's watches end with it
        }
    }

    /**
     * Sends each watch its status where it changed and the stream can take it. One that cannot (the client is not
     * reading) is sent the status current when it can again; the ones in between are dropped, never queued.
     */
    private void stateChanged() {
        if (watches == 0 || stopping || !ctx.channel().isActive()) {
            return;
        }
        H2Answers a = server.answers();
        boolean wrote = false;
        for (Call call : calls.values()) {
            if (!call.watching) {
                continue;
            }
            int status = health.status(call.service, a.state);
            if (status == call.lastSent) {
                continue;
            }
            Http2Stream stream = connection().stream(call.stream);
            if (stream == null || !ctx.channel().isWritable() || !encoder().flowController().isWritable(stream)) {
                continue; // retried when the window or the channel opens: writabilityChanged
            }
            call.lastSent = status;
            encoder().writeData(ctx, call.stream, Health.checkFrame(status), 0, false, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            flush(ctx); // through this handler: DATA waits in the flow controller until then
        }
    }

    /** A stream's flow-control window opened (or closed): a watch may have an update to send now. */
    @Override
    public void writabilityChanged(Http2Stream stream) {
        if (watches > 0 && !updateQueued) {
            // Not from here: this runs in the middle of the flow controller's writing.
            updateQueued = true;
            ctx.executor().execute(() -> {
                updateQueued = false;
                stateChanged();
            });
        }
    }

    // ---- time limits ----

    private void arm(long deadline) {
        if (timer != null) {
            if (timerDeadline - deadline <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerDeadline = deadline;
        timer = ctx.executor().schedule(checkTimeouts, Math.max(0, deadline - now()), NANOSECONDS);
    }

    private void checkTimeouts() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = now();
        long next = now + server.idleTimeoutNanos();
        if (partialSince != NONE) {
            long limit = partialSince + server.requestTimeoutNanos();
            if (now - limit >= 0) {
                ctx.close(); // a frame never completed: nothing to answer, not even GOAWAY's last stream
                return;
            }
            next = Math.min(next, limit);
        }
        boolean wrote = false;
        for (Call call : calls.values().toArray(new Call[0])) {
            if (!call.watching) {
                if (now - call.messageDeadline >= 0) {
                    forget(call);
                    resetStream(ctx, call.stream, Http2Error.CANCEL.code(), ctx.newPromise());
                    wrote = true;
                } else {
                    next = Math.min(next, call.messageDeadline);
                }
            } else if (call.deadline != NONE) {
                if (now - call.deadline >= 0) {
                    calls.remove(call.stream);
                    watchEnded();
                    encoder().writeHeaders(ctx, call.stream, DEADLINE, 0, true, ctx.newPromise());
                    wrote = true;
                } else {
                    next = Math.min(next, call.deadline);
                }
            }
        }
        if (wrote) {
            flush(ctx); // through this handler: DATA waits in the flow controller until then
        }
        if (calls.isEmpty()) {
            // A connection that never asked anything gets the request timeout, as on HTTP/1.
            long limit = lastActivity + (answeredAny ? server.idleTimeoutNanos() : server.requestTimeoutNanos());
            if (now - limit >= 0) {
                ctx.channel().close(); // GOAWAY first
                return;
            }
            next = Math.min(next, limit);
        }
        arm(next);
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
