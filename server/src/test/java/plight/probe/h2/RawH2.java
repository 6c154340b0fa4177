package plight.probe.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;
import plight.probe.Http2Switch;
import plight.probe.Outbound;

/**
 * A raw HTTP/2 client on a socket: frames written by Netty's frame writer (into an embedded channel, then onto
 * the socket by hand) and read by its frame reader, so that a test can send what no real client would. What it
 * receives is a list of one-line events: {@code SETTINGS}, {@code HEADERS 1 end :status=200 grpc-status=0},
 * {@code DATA 1 3 end last=10} (the last byte), {@code RST 1 8}, {@code GOAWAY 11}, {@code PING_ACK}, {@code WINDOW_UPDATE 0}, {@code EOF}.
 */
public final class RawH2 implements AutoCloseable {
    public static final int TIMEOUT_MILLIS = 10_000;

    public final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel sink = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = sink.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    private final ByteBuf received = Unpooled.buffer();
    private final Deque<String> events = new ArrayDeque<>();
    /** The first header block received on each stream, for what the one-line events leave out. */
    public final java.util.Map<Integer, Http2Headers> firstHeaders = new java.util.HashMap<>();
    private boolean eof;
    private boolean writeFailed;

    public RawH2(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer the socket's SO_RCVBUF, 0 for the default (a small one for a client that does not read) */
    public RawH2(int port, int receiveBuffer) throws IOException {
        this(port, receiveBuffer, null);
    }

    /**
     * @param source the client's address, e.g. 127.0.0.2 for a second client on loopback (Linux answers all of
     *               127/8 there); {@code null} for the system's choice
     */
    public RawH2(int port, int receiveBuffer, String source) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (source != null) {
            socket.bind(new InetSocketAddress(source, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The preface and an empty SETTINGS frame, as every client starts. */
    public RawH2 start() throws IOException {
        return preface().settings(new Http2Settings());
    }

    public RawH2 preface() throws IOException {
        return send(Http2Switch.PREFACE);
    }

    public RawH2 settings(Http2Settings settings) throws IOException {
        writer.writeSettings(ctx, settings, ctx.newPromise());
        return drain();
    }

    public RawH2 settingsAck() throws IOException {
        writer.writeSettingsAck(ctx, ctx.newPromise());
        return drain();
    }

    public RawH2 headers(int stream, Http2Headers headers, boolean endStream) throws IOException {
        writer.writeHeaders(ctx, stream, headers, 0, endStream, ctx.newPromise());
        return drain();
    }

    /** A GET of {@code /} that ends the stream. */
    public RawH2 get(int stream) throws IOException {
        return headers(stream, request("GET", "/"), true);
    }

    public static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("lb");
    }

    public RawH2 data(int stream, byte[] bytes, boolean endStream) throws IOException {
        writer.writeData(ctx, stream, Unpooled.wrappedBuffer(bytes), 0, endStream, ctx.newPromise());
        return drain();
    }

    public RawH2 rst(int stream, long code) throws IOException {
        writer.writeRstStream(ctx, stream, code, ctx.newPromise());
        return drain();
    }

    public RawH2 ping(long data) throws IOException {
        writer.writePing(ctx, false, data, ctx.newPromise());
        return drain();
    }

    public RawH2 windowUpdate(int stream, int increment) throws IOException {
        writer.writeWindowUpdate(ctx, stream, increment, ctx.newPromise());
        return drain();
    }

    public RawH2 frame(byte type, int stream, byte[] payload) throws IOException {
        writer.writeFrame(ctx, type, stream, new Http2Flags(), Unpooled.wrappedBuffer(payload), ctx.newPromise());
        return drain();
    }

    public RawH2 send(byte[] bytes) throws IOException {
        if (!writeFailed) {
            try {
                out.write(bytes);
                out.flush();
            } catch (java.net.SocketException closedByServer) {
                // A flood is cut off by the server mid-way: what it answered is still there to read.
                writeFailed = true;
            }
        }
        return this;
    }

    /** Whatever the writer made, onto the socket. */
    private RawH2 drain() throws IOException {
        sink.flush();
        byte[] bytes = Outbound.drain(sink);
        if (bytes.length > 0) {
            send(bytes);
        }
        return this;
    }

    /** The next event; {@code EOF} at the end of input (also after a reset). */
    public String next() throws IOException {
        while (events.isEmpty()) {
            if (eof) {
                return "EOF";
            }
            readMore();
        }
        return events.poll();
    }

    /** Events up to and including the first that {@code wanted} accepts; {@code EOF} if input ends first. */
    public String until(Predicate<String> wanted) throws IOException {
        for (;;) {
            String e = next();
            if (wanted.test(e) || e.equals("EOF")) {
                return e;
            }
        }
    }

    public String until(String prefix) throws IOException {
        return until(e -> e.startsWith(prefix));
    }

    private void readMore() throws IOException {
        byte[] buf = new byte[16384];
        int n;
        try {
            n = in.read(buf);
        } catch (java.net.SocketException reset) {
            n = -1;
        }
        if (n < 0) {
            eof = true;
            return;
        }
        received.writeBytes(buf, 0, n);
        try {
            reader.readFrame(ctx, received, listener);
        } catch (Http2Exception e) {
            throw new IOException("the server sent something that is not HTTP/2", e);
        }
        received.discardReadBytes();
    }

    private final Http2FrameAdapter listener = new FrameListener() {
        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            String last = data.isReadable() ? " last=" + data.getByte(data.writerIndex() - 1) : "";
            events.add("DATA " + streamId + " " + data.readableBytes() + (endOfStream ? " end" : "") + last);
            return data.readableBytes() + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            firstHeaders.putIfAbsent(streamId, headers);
            StringBuilder sb = new StringBuilder("HEADERS " + streamId + (endOfStream ? " end" : ""));
            for (String name : new String[] {":status", "grpc-status"}) {
                CharSequence v = headers.get(name);
                if (v != null) {
                    sb.append(' ').append(name).append('=').append(v);
                }
            }
            events.add(sb.toString());
        }


        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            events.add("RST " + streamId + " " + errorCode);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            events.add("SETTINGS");
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) {
            events.add("SETTINGS_ACK");
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {
            events.add("PING_ACK");
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            events.add("GOAWAY " + errorCode);
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
            events.add("WINDOW_UPDATE " + streamId);
        }
    };

    @Override
    public void close() throws IOException {
        socket.close();
        received.release();
        sink.finishAndReleaseAll();
    }
}
