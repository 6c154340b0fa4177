package plight.probe;

import io.netty.channel.ChannelConfig;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How many connections the listener accepts per turn of the event loop: one while turns are short, up to
 * {@code max} once they are long.
 *
 * <p>Netty's epoll listener accepts one connection per turn (its "maybe more data" test compares an accepted
 * descriptor with a byte count, and fails). While turns are short that is the cheapest way: a loop that goes
 * on until {@code accept} fails costs one failing system call per turn, a tenth of a connection's cost when
 * each probe opens a connection. But while many connections are busy each turn takes milliseconds, and a
 * prober that connects behind a burst of N connections would wait N such turns to be accepted. So when the
 * listener's previous turn began more than {@code longTurn} ago, this turn accepts every waiting connection.
 */
final class AcceptPacing extends DefaultMaxMessagesRecvByteBufAllocator {
    private final long longTurnNanos;
    private final LongSupplier nanoTime;

    AcceptPacing(int max, Duration longTurn) {
        this(max, longTurn, System::nanoTime);
    }

    AcceptPacing(int max, Duration longTurn, LongSupplier nanoTime) {
        super(max);
        this.longTurnNanos = longTurn.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public Handle newHandle() {
        return new MaxMessageHandle() {
            private ChannelConfig config;
            private long lastTurn = nanoTime.getAsLong();
            private boolean allWaiting;
            private int accepted;

            @Override
            public void reset(ChannelConfig config) {
                this.config = config;
                long now = nanoTime.getAsLong();
                allWaiting = now - lastTurn > longTurnNanos;
                lastTurn = now;
                accepted = 0;
                super.reset(config);
            }

            /** Asked once after each connection accepted. */
            @Override
            public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
                return ++accepted < maxMessagesPerRead() && config.isAutoRead()
                        && (allWaiting || maybeMoreDataSupplier.get());
            }

            @Override
            public int guess() {
                return 128; // as Netty's ServerChannelRecvByteBufAllocator: nothing is allocated for an accept
            }
        };
    }
}
