package plight.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.WriteBufferWaterMark;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** While the channel is unwritable, no further pipelined request is decoded, not even from buffered bytes. */
class BackPressureTest {
    @Test
    void decodingStopsWhileUnwritableAndResumesInOrder() {
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        int requests = 100;
        byte[] batch = "GET / HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\n".repeat(requests / 2)
                .getBytes(StandardCharsets.US_ASCII);
        try (EmbeddedProbe probe = new EmbeddedProbe(live)) {
            // One unflushed answer is already above the high-water mark.
            probe.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
            ByteBuf in = probe.alloc.directBuffer().writeBytes(batch);

            probe.channel.pipeline().fireChannelRead(in);
            assertFalse(probe.channel.config().isAutoRead(), "still reading while unwritable");
            int oneAnswer = live.current().probe(true, true, false).readableBytes();
            long queued = probe.channel.unsafe().outboundBuffer().totalPendingWriteBytes();
            assertTrue(queued >= oneAnswer && queued < 2 * oneAnswer, "decoded past the back-pressure point: "
                    + queued + " bytes queued, one answer is " + oneAnswer);

            // The flush makes the channel writable; the resumption task (which this channel runs right after
            // the flush) answers the rest, one write at a time, then reads again.
            probe.channel.pipeline().fireChannelReadComplete();
            probe.channel.runPendingTasks();
            assertTrue(probe.channel.config().isAutoRead());
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < requests; i++) {
                ByteBuf answer = live.current().probe(true, true, i % 2 == 1);
                byte[] bytes = new byte[answer.readableBytes()];
                answer.readBytes(bytes);
                expected.writeBytes(bytes);
            }
            assertArrayEquals(expected.toByteArray(), probe.output());
        }
    }
}
