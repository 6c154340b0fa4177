package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.UncheckedBooleanSupplier;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One connection per turn while turns are short; every waiting one (up to the maximum) after a long turn. */
class AcceptPacingTest {
    private final AtomicLong clock = new AtomicLong();
    private final RecvByteBufAllocator.ExtendedHandle handle = (RecvByteBufAllocator.ExtendedHandle)
            new AcceptPacing(5, Duration.ofMillis(2), clock::get).newHandle();
    private final ChannelConfig config = new EmbeddedChannel().config();

    /** How many connections one turn accepts when {@code waiting} are in the backlog, as Netty's epoll does. */
    private int turn(int waiting) {
        handle.reset(config);
        int accepted = 0;
        do {
            if (accepted == waiting) {
                break; // accept() fails: the backlog is empty
            }
            accepted++;
        } while (handle.continueReading(UncheckedBooleanSupplier.FALSE_SUPPLIER)); // epoll's answer, always
        return accepted;
    }

    @Test
    void shortTurnsAcceptOneConnectionEach() {
        for (int i = 0; i < 10; i++) {
            clock.addAndGet(Duration.ofMillis(1).toNanos());
            assertEquals(1, turn(100));
        }
    }

    @Test
    void afterALongTurnEveryWaitingConnectionIsAcceptedUpToTheMaximum() {
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertEquals(1, turn(100));
        clock.addAndGet(Duration.ofMillis(30).toNanos());
        assertEquals(5, turn(100));
        clock.addAndGet(Duration.ofMillis(30).toNanos());
        assertEquals(3, turn(3));
        clock.addAndGet(Duration.ofMillis(1).toNanos());
        assertEquals(1, turn(100));
    }
}
