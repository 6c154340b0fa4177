package plight.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import plight.state.State;
import plight.testkit.RawHttp.Response;
import plight.testkit.RawHttp;

/** "The first request parsed after a state change is acknowledged sees the new state", under load. */
class StateFlipTest {
    private static State version(long n) {
        return new State("v" + n, null, 200 + (int) (n % 2) * 303, "version " + n, "enable", "up ready", Map.of(), 0);
    }

    /** A clock that moves a second per reading, so every tick re-renders and races the flips. */
    private static final class RacingClock extends Clock {
        private final AtomicLong seconds = new AtomicLong(1_700_000_000L);

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(seconds.incrementAndGet());
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void noResponseIsOlderThanTheLastCompletedChange() throws Exception {
        LiveResponses live = new LiveResponses(version(0), new RacingClock());
        AtomicLong acknowledged = new AtomicLong(0);
        ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();
        LongAdder responses = new LongAdder();
        AtomicInteger flips = new AtomicInteger();
        long runNanos = 2_000_000_000L;

        try (TestServer server = TestServer.builder().live(live).threads(2).start()) {
            long end = System.nanoTime() + runNanos;
            CountDownLatch done = new CountDownLatch(8 + 2);
            for (int i = 0; i < 8; i++) {
                new Thread(() -> {
                    try (RawHttp c = server.connect()) {
                        while (System.nanoTime() < end) {
                            long before = acknowledged.get();
                            Response r = c.send("GET / HTTP/1.1\r\n\r\n").read();
                            long served = Long.parseLong(r.header("X-Plight-State").substring(1));
                            if (served < before) {
                                stale.add("served v" + served + " after v" + before + " was acknowledged");
                            }
                            if (!r.reason().equals("version " + served)) {
                                stale.add("torn response: " + r.reason() + " / v" + served);
                            }
                            responses.increment();
                        }
                    } catch (Exception e) {
                        stale.add("client failed: " + e);
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            new Thread(() -> {
                for (long n = 1; System.nanoTime() < end; n++) {
                    live.show(version(n));
                    acknowledged.set(n);
                    flips.incrementAndGet();
                }
                done.countDown();
            }).start();
            new Thread(() -> {
                // Ticks re-render whatever is current; one landing after a flip must not bring back the old state.
                while (System.nanoTime() < end) {
                    live.tick();
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
                done.countDown();
            }).start();
            done.await();
        }
        assertTrue(stale.isEmpty(), stale.size() + " stale or failed, e.g. " + stale.peek());
        assertTrue(flips.get() > 100, flips + " flips");
        assertTrue(responses.sum() > 1000, responses.sum() + " responses");
    }
}
