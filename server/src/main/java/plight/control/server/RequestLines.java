package plight.control.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.util.List;
import plight.control.Request;

/**
 * Splits the control stream into request lines, and at the client's end of input tells the handler about a
 * last request that never got its newline, so that it is answered with an error instead of silence.
 */
final class RequestLines extends LineBasedFrameDecoder {
    /** User event: input ended in the middle of a request line. */
    static final Object INCOMPLETE = new Object() {
        @Override
        public String toString() {
            return "RequestLines.INCOMPLETE";
        }
    };

    RequestLines() {
        super(Request.MAX_LINE_BYTES, true, true);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (in.isReadable()) {
            in.skipBytes(in.readableBytes());
            ctx.fireUserEventTriggered(INCOMPLETE);
        }
    }
}
