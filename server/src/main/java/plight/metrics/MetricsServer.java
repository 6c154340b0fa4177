package plight.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import plight.log.Log;
import plight.config.MetricsSettings;
import plight.probe.SidePort;
import plight.probe.Transport;

/**
 * {@code [metrics] port}: {@code GET /metrics} (and {@code HEAD}) in the Prometheus text format, OpenMetrics when
 * the scraper's {@code Accept} asks for it, gzip when its {@code Accept-Encoding} does; any other path 404.
 * Its own port and its own event loop: a scrape renders on this thread, never on a probe port's, and a slow
 * scraper holds one response of its own, nothing of the probe port.
 */
public final class MetricsServer implements AutoCloseable {
    /** Scrapers are few: a Prometheus or two, an occasional curl. More at once are refused. */
    static final int MAX_CONNECTIONS = 64;
    private static final int MAX_REQUEST = 16 * 1024;
    private static final int IDLE_SECONDS = 60;

    private final MetricsSettings settings;
    private final NodeMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private SidePort port;

    public MetricsServer(MetricsSettings settings, NodeMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    public void start() throws IOException {
        start(Transport.best());
    }

    /** As {@link #start()}, on the daemon's transport. */
    public void start(Transport transport) throws IOException {
        port = SidePort.open("plight-metrics", settings.hosts(), settings.port(), "metrics port", transport, bootstrap -> bootstrap
                // A scraper that sends requests and never reads the answers holds this much of the daemon at most.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (open.incrementAndGet() > MAX_CONNECTIONS) {
                            open.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(8192, MAX_REQUEST, 8192),
                                new HttpContentCompressor(StandardCompressionOptions.gzip()),
                                new HttpObjectAggregator(MAX_REQUEST),
                                new Scrape());
                    }
                }));
    }

    /** The bound ports, in the order of {@code [metrics] host}. */
    public List<Integer> ports() {
        return port == null ? List.of() : port.ports();
    }

    @Override
    public void close() {
        if (port != null) {
            port.close();
            port = null;
        }
    }

    private final class Scrape extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = plain(HttpResponseStatus.BAD_REQUEST, "bad request\n");
                HttpUtil.setKeepAlive(response, false);
            } else if (!"/metrics".equals(new QueryStringDecoder(request.uri()).path())) {
                response = plain(HttpResponseStatus.NOT_FOUND, "not found: try /metrics\n");
            } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                response = plain(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                ExpositionFormatWriter writer = NodeMetrics.writerFor(request.headers().get(HttpHeaderNames.ACCEPT));
                byte[] body;
                try {
                    body = metrics.render(writer);
                } catch (RuntimeException e) {
                    Log.error(e, "rendering /metrics failed");
                    body = null;
                }
                response = body == null ? plain(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot render metrics\n")
                        : new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(body));
                if (body != null) response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
            }
            response.setProtocolVersion(request.protocolVersion());
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (request.method().equals(HttpMethod.HEAD)) {
                response.content().clear();
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request) && HttpUtil.isKeepAlive(response);
            HttpUtil.setKeepAlive(response, keepAlive);
            var write = ctx.writeAndFlush(response);
            if (!keepAlive) {
                write.addListener(ChannelFutureListener.CLOSE);
            } else if (!ctx.channel().isWritable()) {
                // Answers it does not read stop us reading its next requests, until it catches up.
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) ctx.channel().config().setAutoRead(true);
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a scraper that went away; nothing to answer
        }
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String text) {
        FullHttpResponse r = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        return r;
    }
}
