package plight.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import plight.config.MetricsSettings;
import plight.log.Log;
import plight.probe.SidePort;
import plight.probe.Transport;

/**
 * {@code [metrics] port}: {@code GET /metrics} (and {@code HEAD}) in the Prometheus text format, OpenMetrics when
 * the scraper's {@code Accept} asks for it, gzip when its {@code Accept-Encoding} does; any other path 404.
 * Its own port and its own event loop: a scrape renders on this thread, never on a probe port's, and a slow
 * scraper holds one response of its own, nothing of the probe port. The probe port's {@code request_timeout}
 * and {@code idle_timeout} apply, and at the cap an old connection makes room for a new one
 * ({@link ScrapeConnections}).
 */
public final class MetricsServer extends SidePort.Server {
    /** Scrapers are few: a Prometheus or two, an occasional curl. Beyond this, an old connection is closed. */
    public static final int MAX_CONNECTIONS = 64;
    private static final int MAX_REQUEST = 16 * 1024;

    private final MetricsSettings settings;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final NodeMetrics metrics;

    /**
     * @param requestTimeout how long a request may take from its first byte to its end ({@code [webserver] request_timeout})
     * @param idleTimeout    how long a connection may wait between requests ({@code [webserver] idle_timeout})
     */
    public MetricsServer(MetricsSettings settings, Duration requestTimeout, Duration idleTimeout, NodeMetrics metrics) {
        this.settings = settings;
        this.requestTimeout = requestTimeout;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
    }

    /** Binds every configured host, on the daemon's transport. */
    @Override
    public void start(Transport transport) throws IOException {
        ScrapeConnections connections = new ScrapeConnections(MAX_CONNECTIONS, requestTimeout, idleTimeout);
        bind("plight-metrics", settings.hosts(), settings.port(), "metrics port", transport, bootstrap -> bootstrap
                // A scraper that sends requests and never reads the answers holds this much of the daemon at most.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ScrapeConnections.Guard guard = connections.admit(ch);
                        // No aggregator: a scrape has no body, so the head decides, and a body is never waited for.
                        ch.pipeline().addLast(guard, new HttpServerCodec(8192, MAX_REQUEST, 8192), new Scrape(guard));
                    }
                }));
    }

    private final class Scrape extends SimpleChannelInboundHandler<HttpObject> {
        private final ScrapeConnections.Guard guard;

        Scrape(ScrapeConnections.Guard guard) {
            this.guard = guard;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            // The content after a head (an empty last part, or a body refused with the head) needs nothing.
            // After an answer that closes, what the codec still holds is not answered.
            if (msg instanceof HttpRequest request && !guard.closing()) answer(ctx, request);
        }

        private static boolean hasBody(HttpRequest request) {
            try {
                return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) != 0;
            } catch (NumberFormatException unreadable) {
                return true; // a length we cannot read: a body of unknown size, as far as we are concerned
            }
        }

        private void answer(ChannelHandlerContext ctx, HttpRequest request) {
            HttpVersion version = request.protocolVersion();
            boolean http1 = version.equals(HttpVersion.HTTP_1_1) || version.equals(HttpVersion.HTTP_1_0);
            boolean head = request.method().equals(HttpMethod.HEAD);
            boolean hasBody = request.decoderResult().isSuccess() && hasBody(request);
            boolean metricsPath = false;
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = plain(HttpResponseStatus.BAD_REQUEST, "bad request\n");
            } else if (!http1) {
                // An HTTP/2 preface ("PRI * HTTP/2.0") or another version: answered in HTTP/1.1, which is all this port speaks.
                response = plain(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/1.0 and HTTP/1.1 only\n");
            } else if (!"/metrics".equals(new QueryStringDecoder(request.uri()).path())) {
                response = plain(HttpResponseStatus.NOT_FOUND, "not found: try /metrics\n");
            } else if (!request.method().equals(HttpMethod.GET) && !head) {
                response = plain(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else if (hasBody) {
                response = plain(HttpResponseStatus.BAD_REQUEST, "a scrape has no body\n");
            } else {
                metricsPath = true;
                response = scrape(request);
            }
            if (http1) response.setProtocolVersion(version);
            if (metricsPath) response.headers().set(HttpHeaderNames.VARY, "Accept, Accept-Encoding");
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (head) response.content().clear();
            // A body is not read, whatever was answered: the connection ends with the answer.
            boolean keepAlive = http1 && !hasBody && request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var write = ctx.writeAndFlush(response);
            guard.answered(ctx, !keepAlive);
            if (!keepAlive) {
                write.addListener(ChannelFutureListener.CLOSE);
            } else if (!ctx.channel().isWritable()) {
                // Answers it does not read stop us reading its next requests, until it catches up.
                ctx.channel().config().setAutoRead(false);
            }
        }

        private FullHttpResponse scrape(HttpRequest request) {
            ExpositionFormatWriter writer = NodeMetrics.writerFor(request.headers().get(HttpHeaderNames.ACCEPT));
            byte[] body;
            try {
                body = metrics.render(writer);
            } catch (RuntimeException e) {
                Log.error(e, "rendering /metrics failed");
                return plain(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot render metrics\n");
            }
            boolean gzip = AcceptEncoding.gzip(request.headers().getAll(HttpHeaderNames.ACCEPT_ENCODING));
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(gzip ? gzip(body) : body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
            if (gzip) r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
            return r;
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) ctx.channel().config().setAutoRead(true);
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a scraper that went away; nothing to answer
        }
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip in memory", e);
        }
        return out.toByteArray();
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String text) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        return r;
    }
}
