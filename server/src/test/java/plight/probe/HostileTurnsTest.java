package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import plight.testkit.RawHttp;

/**
 * What many hostile connections do at the same moment (open with pipelines, time out, go away) is spread over
 * turns of the event loop, so a probe that arrives with them is not answered behind all of them. Which goes
 * first is decided by the server: the event loop is held (in the listener of a "holder" connection's answer)
 * until everything is sent, so that it all arrives for the same turn.
 */
class HostileTurnsTest {
    private static final String TIMEOUT = Integer.toString(Failure.REQUEST_TIMEOUT.code);

    /** Holds the event loop at the holder's answer while armed, until released. */
    private static final class Hold implements ProbeListener {
        final AtomicInteger holderPort = new AtomicInteger();
        final AtomicInteger probePort = new AtomicInteger();
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger othersAnswered = new AtomicInteger();
        final AtomicInteger probesAnswered = new AtomicInteger();
        /** What {@link #atProbe} said when the probe's second request was answered. */
        final AtomicLong seenAtProbe = new AtomicLong(-1);
        volatile java.util.function.LongSupplier atProbe = othersAnswered::get;

        @Override
        public void served(java.net.InetSocketAddress remote, plight.state.State state) {
            int port = remote.getPort();
            if (port == probePort.get()) {
                if (probesAnswered.incrementAndGet() == 2) {
                    seenAtProbe.set(atProbe.getAsLong());
                }
            } else if (port == holderPort.get()) {
                if (armed.getAndSet(false)) {
                    holding.countDown();
                    try {
                        release.await(RawHttp.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            } else {
                othersAnswered.incrementAndGet();
            }
        }

        /** Holds the loop: the holder asks once more and its answer waits for {@link #release}. */
        void holdWith(RawHttp holder) throws Exception {
            armed.set(true);
            holder.send(RawHttp.GET);
            assertTrue(holding.await(RawHttp.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS), "event loop not held");
        }
    }

    @Test
    void aBurstOfPipelinesReadWithAProbeAnswersAtMostOneTurnsBudgetBeforeIt() throws Exception {
        Hold hold = new Hold();
        int pipeliners = 64;
        byte[] pipeline = RawHttp.GET.repeat(ProbeHandler.MAX_ANSWERS_PER_TURN).getBytes(StandardCharsets.US_ASCII);
        List<RawHttp> clients = new ArrayList<>();
        try (TestServer server = TestServer.builder().listener(hold).start();
             RawHttp holder = server.connect();
             RawHttp probe = server.connect()) {
            // Every connection is accepted and answered once first: only what they send next races.
            hold.holderPort.set(holder.socket.getLocalPort());
            hold.probePort.set(probe.socket.getLocalPort());
            assertEquals(200, holder.get().code());
            assertEquals(200, probe.get().code());
            for (int i = 0; i < pipeliners; i++) {
                RawHttp c = server.connect();
                clients.add(c);
                assertEquals(200, c.get().code());
            }
            int warmUp = hold.othersAnswered.get();

            hold.holdWith(holder);
            for (RawHttp c : clients) {
                c.send(pipeline);
            }
            probe.send(RawHttp.GET);
            hold.release.countDown();

            assertEquals(200, probe.read().code());
            long before = hold.seenAtProbe.get() - warmUp;
            // Without a budget for the turn, every pipeline read ahead of the probe is answered a turn's worth
            // (64 x 32 = 2,048); with it, one turn's budget (1,024), plus the first answer of each read.
            assertTrue(before >= 0 && before <= Turns.INLINE_ANSWERS_PER_TURN + pipeliners,
                    "pipelined answers before the probe's: " + before + " of " + pipeliners * pipeline.length
                            / RawHttp.GET.length());
        } finally {
            for (RawHttp c : clients) {
                c.close();
            }
        }
    }

    @Test
    void connectionsTimingOutTogetherAreCutInTurnsNotAllAheadOfAProbe() throws Exception {
        Hold hold = new Hold();
        int slow = 200;
        Duration timeout = Duration.ofSeconds(1);
        List<RawHttp> clients = new ArrayList<>();
        try (TestServer server = TestServer.builder().listener(hold).requestTimeout(timeout).start();
             RawHttp holder = server.connect();
             RawHttp probe = server.connect()) {
            hold.atProbe = () -> server.server.rejections().counts().get(TIMEOUT);
            hold.holderPort.set(holder.socket.getLocalPort());
            hold.probePort.set(probe.socket.getLocalPort());
            assertEquals(200, holder.get().code());
            for (int i = 0; i < slow; i++) {
                RawHttp c = server.connect();
                clients.add(c);
                c.send("GET / HTTP/1.1\r\nHost: lb\r\n"); // a head that never ends
            }
            // Read in order of arrival: once the probe behind them is answered, every slow head has been read.
            assertEquals(200, probe.get().code());
            long allRead = System.nanoTime();

            hold.holdWith(holder);
            probe.send(RawHttp.GET);
            // Every slow connection's request timeout runs out while the loop is held.
            long left = allRead + timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(200) - System.nanoTime();
            if (left > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
            hold.release.countDown();

            assertEquals(200, probe.read().code());
            long cutBefore = hold.seenAtProbe.get();
            assertTrue(cutBefore >= 0 && cutBefore <= Turns.ANSWERS_PER_TURN / ProbeHandler.EXPIRY_COST,
                    "connections cut with 408 before the probe was answered: " + cutBefore + " of " + slow);
            // And every one of them is still cut, with its 408.
            for (RawHttp c : clients) {
                assertEquals(408, c.read().code());
            }
        } finally {
            for (RawHttp c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aConnectionClosedWithAnswersStillQueuedIsClosedOnceNotOncePerAnswer() throws Exception {
        LiveResponses live = new LiveResponses(TestStates.ENABLED);
        AtomicInteger closes = new AtomicInteger();
        try (EmbeddedProbe probe = new EmbeddedProbe(live)) {
            probe.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                    closes.incrementAndGet();
                    super.close(ctx, promise);
                }
            });
            int requests = ProbeHandler.MAX_ANSWERS_PER_TURN;
            ByteBuf in = probe.alloc.directBuffer()
                    .writeBytes(RawHttp.GET.repeat(requests).getBytes(StandardCharsets.US_ASCII));
            // Answered, not yet flushed (that happens when the read completes): the client resets meanwhile.
            probe.channel.pipeline().fireChannelRead(in);
            probe.channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
            probe.channel.runPendingTasks();
            assertEquals(1, closes.get(), "closes for one reset with " + requests + " answers queued");
        }
    }
}
