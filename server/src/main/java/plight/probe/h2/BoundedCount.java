package plight.probe.h2;

import java.util.concurrent.atomic.AtomicInteger;
import plight.probe.Refusals;

/** A count of things open daemon-wide with an upper bound: one over it is refused, and the refusal reported. */
final class BoundedCount {
    private final int limit;
    private final Refusals refusals;
    private final AtomicInteger count = new AtomicInteger();

    /** @param refused completes "refused N ...", e.g. "HTTP/2 streams over the limit of 100 open" */
    BoundedCount(int limit, String refused) {
        this.limit = limit;
        this.refusals = new Refusals(refused);
    }

    /** One more: {@code false} (and not counted) when it would go over the limit. Never blocks. */
    boolean add() {
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            refusals.refused();
            return false;
        }
        return true;
    }

    void remove(int n) {
        count.addAndGet(-n);
    }

    int get() {
        return count.get();
    }
}
