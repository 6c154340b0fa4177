package plight.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import plight.probe.Outbound;
import plight.state.State;

/**
 * The agent-check port's reader of HAProxy's {@code agent-send} line, fuzzed (RELIABILITY.md, "Fuzzing").
 * {@code mvn verify} replays {@code src/test/resources/plight/agent/AgentSendFuzzTestInputs/}.
 */
class AgentSendFuzzTest {
    private static final State DRAINING = new State("disabled", java.nio.file.Path.of("/nonexistent/d"), 404,
            "node is unavailable", "disable", "up drain", Map.of(), 1);
    private static final Duration DRAIN = Duration.ofSeconds(1);

    /**
     * Whatever the checker sends, in whatever pieces: it reads exactly the state's line, the connection closes as
     * soon as the checker's line, its end of input or 1 KiB has come (not before), and at the drain timeout at the
     * latest; every buffer read is released and nothing is thrown.
     */
    @FuzzTest(maxDuration = "3m")
    void anyAgentSendInputGetsTheLineAndTheConnectionEnds(FuzzedDataProvider data) {
        boolean eof = data.consumeBoolean();
        List<byte[]> reads = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            byte[] read = data.consumeBytes(data.consumeInt(1, 1500));
            if (read.length > 0) { // a socket never delivers an empty read (and Netty's empty buffer is never released)
                reads.add(read);
            }
        }
        // Time frozen before the connection starts: the drain timeout is scheduled then (a fuzz finding: frozen
        // after, a stall of a second on a loaded machine fired it before the first read).
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new AgentServer.Answer(() -> DRAINING, DRAIN, (remote, state) -> { }));
        channel.pipeline().fireChannelActive(); // the connection starts for the handler now
        List<ByteBuf> sent = new ArrayList<>();
        int total = 0;
        boolean done = false;
        for (byte[] read : reads) {
            if (!channel.isOpen()) {
                break;
            }
            assertFalse(done, "still open after the checker's line, 1 KiB or end of input");
            ByteBuf buf = Unpooled.wrappedBuffer(read);
            sent.add(buf);
            channel.writeInbound(buf);
            channel.checkException();
            total += read.length;
            done = total >= AgentServer.DRAIN_LIMIT || indexOf(read, (byte) '\n') >= 0;
        }
        if (eof && channel.isOpen()) {
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            done = true;
        }
        channel.runPendingTasks();
        channel.checkException();
        assertEquals(!done, channel.isOpen(), "open after " + total + " bytes" + (eof ? " and end of input" : ""));
        channel.advanceTimeBy(DRAIN.toNanos() + 1, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen(), "still open after the drain timeout");
        assertEquals("up drain\n", new String(Outbound.drain(channel), StandardCharsets.UTF_8));
        for (ByteBuf b : sent) {
            assertEquals(0, b.refCnt(), "a read buffer was not released");
        }
        channel.finishAndReleaseAll();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) return i;
        }
        return -1;
    }
}
