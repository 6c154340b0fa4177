package plight.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.WriteBufferWaterMark;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * While the channel is unwritable, no further pipelined request is decoded, not even from buffered bytes; a deep
 * pipeline is answered a bounded number of requests per turn; an allocation failure costs one connection.
 */
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

    @Test
    void aDeepPipelineIsAnsweredInTurnsWithoutReadingMeanwhile() {
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        int requests = ProbeHandler.MAX_ANSWERS_PER_TURN * 3 + 5;
        AtomicInteger answered = new AtomicInteger();
        try (EmbeddedProbe probe = new EmbeddedProbe(live, (remote, state) -> answered.incrementAndGet(),
                AccessLog.OFF)) {
            ByteBuf in = probe.alloc.directBuffer()
                    .writeBytes("GET / HTTP/1.1\r\n\r\n".repeat(requests).getBytes(StandardCharsets.US_ASCII));

            // One read answers one turn's worth; the rest waits, unread, for a task of a later turn.
            probe.channel.pipeline().fireChannelRead(in);
            assertEquals(ProbeHandler.MAX_ANSWERS_PER_TURN, answered.get());
            assertFalse(probe.channel.config().isAutoRead(), "reading while answers are held back");
            assertTrue(probe.channel.hasPendingTasks(), "no later turn scheduled");

            // (An embedded channel runs its tasks at once, so the flush runs all later turns here.)
            probe.channel.pipeline().fireChannelReadComplete();
            probe.channel.runPendingTasks();
            assertEquals(requests, answered.get());
            assertTrue(probe.channel.config().isAutoRead(), "reading again once everything is answered");
            int oneAnswer = live.current().probe(true, true, false).readableBytes();
            assertEquals(requests * oneAnswer, probe.output().length);
        }
    }

    @Test
    void requestsWaitingForAClientThatDoesNotReadGiveTheReadBufferBack() {
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        int requests = 100;
        AtomicInteger answered = new AtomicInteger();
        try (EmbeddedProbe probe = new EmbeddedProbe(live, (remote, state) -> answered.incrementAndGet(),
                AccessLog.OFF)) {
            // The client's window is full: nothing more can be sent until it reads.
            probe.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            ByteBuf in = probe.alloc.directBuffer(64 * 1024)
                    .writeBytes("GET / HTTP/1.1\r\n\r\n".repeat(requests).getBytes(StandardCharsets.US_ASCII));
            probe.channel.pipeline().fireChannelRead(in);
            probe.channel.pipeline().fireChannelReadComplete();
            assertEquals(0, answered.get());
            assertEquals(0, probe.alloc.metric().usedDirectMemory(),
                    "the (pooled, larger) read buffer is still held while waiting for the client");

            // The client reads: every request is answered, in order, from the bytes kept aside.
            probe.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
            probe.channel.runPendingTasks();
            assertEquals(requests, answered.get());
            int oneAnswer = live.current().probe(true, true, false).readableBytes();
            assertEquals(requests * oneAnswer, probe.output().length);
            assertTrue(probe.channel.config().isAutoRead());
        }
    }

    @Test
    void anAllocationFailureClosesTheConnectionAndIsCountedNotThrown() {
        List<String> reports = new ArrayList<>();
        List<Throwable> traces = new ArrayList<>();
        ProbeErrors errors = new ProbeErrors((message, trace) -> {
            reports.add(message);
            traces.add(trace);
        });
        try (EmbeddedProbe probe = new EmbeddedProbe(new LiveResponses(TestStates.ENABLED), errors)) {
            probe.channel.pipeline().fireExceptionCaught(new OutOfMemoryError("Cannot reserve 65536 bytes of "
                    + "direct buffer memory"));
            probe.channel.checkException(); // nothing reached the pipeline's tail
            assertFalse(probe.channel.isOpen());
            assertEquals(Map.of(OutOfMemoryError.class.getName(), 1L), errors.counts());
            assertEquals(1, reports.size());
            assertTrue(reports.get(0).contains("closed 1 connection after out of memory"), reports.get(0));
            assertNull(traces.get(0), "no stack trace for an allocation failure");
        }
    }
}
