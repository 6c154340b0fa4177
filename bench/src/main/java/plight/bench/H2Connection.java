package plight.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One cleartext HTTP/2 client connection by prior knowledge (preface and SETTINGS first, as Kubernetes and
 * grpc-go connect), keeping {@code depth} streams in flight, each a request of {@link H2Call}; each answered
 * stream is replaced by a new one. With {@code limit} 1 it makes a single request and closes: a new connection
 * per check.
 *
 * <p>An h2 answer is its {@code :status}. A gRPC answer is its {@code grpc-status} (a trailer, or a header of a
 * trailers-only answer) and, for status 0, the HealthCheckResponse's {@code status} field; {@code :status}
 * other than 200, a missing {@code grpc-status} or a message that is not one HealthCheckResponse is a
 * {@link ErrorKind#PARSE} error. A stream the server resets is a {@link ErrorKind#RESET} error; streams the
 * server refused with GOAWAY (above its last stream id) were never processed and are not counted.
 */
final class H2Connection extends Http2ConnectionHandler {
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString X_PLIGHT_STATE = AsciiString.cached("x-plight-state");

    /** Where the connection's outcomes go: the load's statistics, or the preflight's answer. */
    interface Lane {
        /** Whether the measured run has begun: a connection opened before it waits for {@link #start}. */
        boolean started();

        /** Whether a new request may be started at {@code nanos}. */
        boolean open(long nanos);

        /**
         * @param code   {@code :status} (h2) or {@code grpc-status} (grpc)
         * @param health grpc with status 0: the HealthCheckResponse status (0 to 3); otherwise -1
         * @param state  h2: the {@code x-plight-state} header, or null
         */
        void answered(long originNanos, long nowNanos, int code, int health, CharSequence state);

        void lost(long originNanos, ErrorKind kind);

        /** The connection has closed; {@code failed}: because of an error (then a new one may wait a little). */
        void ended(H2Connection connection, boolean failed);
    }

    /** One stream's request and what has come back so far; reused. */
    private final class Exchange implements ChannelFutureListener {
        int streamId;
        long origin;
        int status;
        int grpcStatus;
        CharSequence state;
        final byte[] message;
        int length;
        boolean oversized;

        Exchange(boolean grpc) {
            message = grpc ? new byte[GrpcHealth.MAX_MESSAGE] : null;
        }

        void reset(int id, long originNanos) {
            streamId = id;
            origin = originNanos;
            status = -1;
            grpcStatus = -1;
            state = null;
            length = 0;
            oversized = false;
        }

        /** A write that failed (e.g. the stream could not be created): the request is lost. */
        @Override
        public void operationComplete(ChannelFuture f) {
            if (!f.isSuccess() && inFlight.get(streamId) == this) {
                inFlight.remove(streamId);
                release(this);
                lane.lost(origin, f.cause() instanceof IOException ? ErrorKind.RESET : ErrorKind.PARSE);
            }
        }
    }

    private final Lane lane;
    private final H2Call call;
    private final int depth;
    private final int limit;
    private final long firstOrigin;
    private final long timeoutNanos;
    private final IntObjectMap<Exchange> inFlight = new IntObjectHashMap<>();
    private final ArrayDeque<Exchange> spare = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> watchdog;
    private int sent;
    private boolean closing;
    private boolean failed;
    private ErrorKind failure = ErrorKind.CLOSED;
    private int goAwayLastStreamId = Integer.MAX_VALUE;
    /** The server's SETTINGS are in: its SETTINGS_MAX_CONCURRENT_STREAMS is known. */
    private boolean settingsRead;

    private H2Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                         Lane lane, H2Call call, int depth, int limit, long firstOrigin, long timeoutNanos) {
        super(decoder, encoder, settings);
        this.lane = lane;
        this.call = call;
        this.depth = depth;
        this.limit = limit;
        this.firstOrigin = firstOrigin;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * @param depth       streams in flight
     * @param limit       requests on this connection, 0 for no limit
     * @param firstOrigin where the first request's latency counts from (the connect's start for a new
     *                    connection per check), or 0 for when it is written
     */
    static H2Connection create(Lane lane, H2Call call, int depth, int limit, long firstOrigin, long timeoutNanos) {
        return Builder.connection((decoder, encoder, settings) -> new H2Connection(decoder, encoder, settings,
                lane, call, depth, limit, firstOrigin, timeoutNanos));
    }

    /** Makes the handler once Netty's builder has the codec: the builder's hook has no room for our parameters. */
    private interface Maker {
        H2Connection make(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings);
    }

    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<H2Connection, Builder> {
        private final Maker maker;

        private Builder(Maker maker) {
            this.maker = maker;
            connection(new DefaultHttp2Connection(false));
            initialSettings(Http2Settings.defaultSettings().pushEnabled(false));
            gracefulShutdownTimeoutMillis(0);
        }

        static H2Connection connection(Maker maker) {
            return new Builder(maker).build();
        }

        @Override
        protected H2Connection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                     Http2Settings settings) {
            H2Connection made = maker.make(decoder, encoder, settings);
            frameListener(made.new Listener());
            return made;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // the preface and our SETTINGS
        long period = Math.max(timeoutNanos / 4, 10_000_000L);
        watchdog = ctx.executor().scheduleAtFixedRate(this::watch, period, period, TimeUnit.NANOSECONDS);
        if (lane.started()) {
            fill();
        } else {
            flush(ctx);
        }
    }

    /** Starts sending on a connection opened before the run began; runs on its event loop. */
    void start() {
        if (ctx != null && ctx.channel().isActive()) {
            fill();
        }
    }

    /** Tops the streams in flight up to {@code depth}, all written in one flush. */
    private void fill() {
        if (closing || failed || goAwayLastStreamId != Integer.MAX_VALUE || (depth > 1 && !settingsRead)) {
            return; // several streams wait for the server's limit on them; a single one need not
        }
        long t = System.nanoTime();
        if (!lane.open(t) || (limit > 0 && sent >= limit)) {
            if (inFlight.isEmpty()) {
                finish();
            }
            return;
        }
        // as h2load does: never more streams than the server allows (it would refuse the rest)
        int n = Math.min(depth, connection().local().maxActiveStreams()) - inFlight.size();
        if (limit > 0) {
            n = Math.min(n, limit - sent);
        }
        if (n <= 0) {
            return;
        }
        Http2ConnectionEncoder encoder = encoder();
        for (int i = 0; i < n; i++) {
            int id = connection().local().incrementAndGetNextStreamId();
            if (id < 0) { // stream ids used up: finish what is in flight, then a new connection
                goAwayLastStreamId = 0;
                break;
            }
            Exchange x = spare.isEmpty() ? new Exchange(call.grpc()) : spare.pop();
            x.reset(id, sent == 0 && firstOrigin != 0 ? firstOrigin : t);
            sent++;
            inFlight.put(id, x);
            encoder.writeHeaders(ctx, id, call.headers(), 0, !call.grpc(), ctx.newPromise().addListener(x));
            if (call.grpc()) {
                ByteBuf body = ctx.alloc().buffer(call.message().length).writeBytes(call.message());
                encoder.writeData(ctx, id, body, 0, true, ctx.newPromise().addListener(x));
            }
        }
        flush(ctx);
    }

    /** Closes the connection after its last answer (or when it has nothing more to do). */
    private void finish() {
        if (!closing) {
            closing = true;
            ctx.close();
        }
    }

    private void release(Exchange x) {
        x.state = null;
        spare.push(x);
    }

    private final class Listener extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            Exchange x = inFlight.get(streamId);
            if (x == null) {
                return;
            }
            if (x.status < 0) {
                x.status = code(headers.status(), 999);
                if (!call.grpc()) {
                    x.state = headers.get(X_PLIGHT_STATE);
                }
            }
            CharSequence g = headers.get(GRPC_STATUS);
            if (g != null) {
                x.grpcStatus = code(g, Integer.MAX_VALUE);
            }
            if (endOfStream) {
                complete(x);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            Exchange x = inFlight.get(streamId);
            if (x != null) {
                if (x.message != null) {
                    int n = data.readableBytes();
                    if (x.length + n > x.message.length) {
                        x.oversized = true;
                    } else {
                        data.getBytes(data.readerIndex(), x.message, x.length, n);
                        x.length += n;
                    }
                }
                if (endOfStream) {
                    complete(x);
                }
            }
            return processed; // consumed at once: the flow-control window is returned as the data comes
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            settingsRead = true;
            if (lane.started()) {
                fill();
            }
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            Exchange x = inFlight.remove(streamId);
            if (x != null) {
                release(x);
                lane.lost(x.origin, ErrorKind.RESET);
            }
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            // streams above lastStreamId were not processed: not answers, not errors (as Connection: close)
            goAwayLastStreamId = lastStreamId;
            inFlight.values().removeIf(x -> {
                if (x.streamId > lastStreamId) {
                    release(x);
                    return true;
                }
                return false;
            });
            if (inFlight.isEmpty()) {
                finish();
            }
        }
    }

    /** An ASCII decimal 0–{@code max}, or -2 when it is not one. */
    private static int code(CharSequence s, int max) {
        if (s == null || s.length() == 0 || s.length() > 10) {
            return -2;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -2;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? (int) v : -2;
    }

    private void complete(Exchange x) {
        inFlight.remove(x.streamId);
        long now = System.nanoTime();
        if (!call.grpc()) {
            if (x.status >= 100 && x.status <= 599) {
                lane.answered(x.origin, now, x.status, -1, x.state);
            } else {
                lane.lost(x.origin, ErrorKind.PARSE);
            }
        } else if (x.status != 200 || x.grpcStatus < 0 || x.grpcStatus > 599) {
            lane.lost(x.origin, ErrorKind.PARSE); // not a gRPC answer
        } else if (x.grpcStatus != 0) {
            lane.answered(x.origin, now, x.grpcStatus, -1, null);
        } else {
            int health = x.oversized ? -1 : GrpcHealth.responseStatus(x.message, x.length);
            if (health < 0) {
                lane.lost(x.origin, ErrorKind.PARSE);
            } else {
                lane.answered(x.origin, now, 0, health, null);
            }
        }
        release(x);
        if (inFlight.isEmpty() && (goAwayLastStreamId != Integer.MAX_VALUE || (limit > 0 && sent >= limit))) {
            finish();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        fill();
    }

    /** Every quarter of the timeout: a request past it fails the connection; an idle one past the end closes. */
    private void watch() {
        long t = System.nanoTime();
        for (Exchange x : inFlight.values()) {
            if (t - x.origin > timeoutNanos) {
                fail(ErrorKind.TIMEOUT);
                return;
            }
        }
        if (inFlight.isEmpty() && !lane.open(t)) {
            finish();
        }
    }

    private void fail(ErrorKind kind) {
        if (closing || failed) {
            return;
        }
        failed = true;
        failure = kind;
        ctx.close();
    }

    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                     Http2Exception http2Ex) {
        if (!closing && !failed) {
            failed = true;
            failure = cause instanceof IOException ? ErrorKind.RESET : ErrorKind.PARSE;
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                 Http2Exception.StreamException http2Ex) {
        Exchange x = inFlight.remove(http2Ex.streamId());
        if (x != null) {
            release(x);
            lane.lost(x.origin, ErrorKind.PARSE);
        }
        super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        for (Exchange x : inFlight.values()) {
            lane.lost(x.origin, failure);
        }
        inFlight.clear();
        try {
            super.channelInactive(ctx);
        } finally {
            lane.ended(this, failed);
        }
    }
}
