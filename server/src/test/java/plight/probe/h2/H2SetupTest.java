package plight.probe.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import plight.config.GrpcSettings;
import plight.probe.Http2Switch;
import plight.probe.LiveResponses;
import plight.probe.ProbeListener;
import plight.probe.Turns;

/**
 * What a connection costs to set up: a prober that opens a connection per check (kubelet, most load balancers)
 * pays for every write the server makes, so the first answer leaves with the server's SETTINGS in one write.
 */
class H2SetupTest {
    /** Counts the bytes of each flush: what the transport would hand the kernel in one write. */
    private static final class Flushes extends ChannelOutboundHandlerAdapter {
        final List<Integer> sizes = new ArrayList<>();
        private int pending;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            pending += ((ByteBuf) msg).readableBytes();
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (pending > 0) {
                sizes.add(pending);
                pending = 0;
            }
            ctx.flush();
        }
    }

    @Test
    void theFirstAnswerLeavesInOneWriteWithTheServersSettings() {
        H2Server server = new H2Server(new LiveResponses(H2TestServer.ENABLED), ProbeListener.NONE,
                new GrpcSettings(List.of(), false), Duration.ofSeconds(5), Duration.ofSeconds(60));
        Flushes flushes = new Flushes();
        EmbeddedChannel channel = new EmbeddedChannel(flushes, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                server.priorKnowledge(ctx, (ByteBuf) msg, new Turns().of(ctx.executor())); // as ProbeHandler hands a connection over
            }
        });

        channel.writeInbound(firstFlight());

        List<ByteBuf> written = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            written.add((ByteBuf) o);
        }
        ByteBuf all = Unpooled.wrappedBuffer(written.toArray(new ByteBuf[0]));
        // SETTINGS, SETTINGS ack, HEADERS and DATA of stream 1
        assertEquals(List.of("4/0", "4/0", "1/1", "0/1"), frames(all));
        assertEquals(List.of(all.readableBytes()), flushes.sizes);
        all.release();
        channel.finishAndReleaseAll();
    }

    /** What a client sends before it has heard anything: the preface, its SETTINGS and a GET, in one segment. */
    private static ByteBuf firstFlight() {
        EmbeddedChannel sink = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = sink.pipeline().firstContext();
        DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
        ByteBuf in = Unpooled.buffer().writeBytes(Http2Switch.PREFACE);
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        writer.writeHeaders(ctx, 1, RawH2.request("GET", "/"), 0, true, ctx.newPromise());
        sink.flushOutbound();
        for (Object o; (o = sink.readOutbound()) != null; ) {
            in.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        sink.finishAndReleaseAll();
        return in;
    }

    /** "type/stream" of each frame in {@code b}. */
    private static List<String> frames(ByteBuf b) {
        List<String> frames = new ArrayList<>();
        for (int i = b.readerIndex(); i < b.writerIndex(); ) {
            int length = b.getUnsignedMedium(i);
            frames.add(b.getByte(i + 3) + "/" + (b.getInt(i + 5) & 0x7fffffff));
            i += 9 + length;
        }
        return frames;
    }
}
