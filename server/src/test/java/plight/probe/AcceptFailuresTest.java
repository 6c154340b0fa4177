package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A listener whose accept fails: paused and retried, one line a minute, no stack trace, nothing past it. */
class AcceptFailuresTest {
    private final AtomicLong clock = new AtomicLong(5_000_000);
    private final List<String> messages = new ArrayList<>();
    private final List<Throwable> traces = new ArrayList<>();
    private final AcceptFailures failures = new AcceptFailures("probe port", Duration.ofMillis(50), (m, t) -> {
        messages.add(m);
        traces.add(t);
    }, clock::get);

    @Test
    void aFailedAcceptPausesTheListenerAndResumesItAfterThePause() {
        EmbeddedChannel listener = new EmbeddedChannel(failures);
        listener.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
        assertFalse(listener.config().isAutoRead(), "paused");
        listener.checkException(); // nothing went past the handler
        listener.advanceTimeBy(50, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertTrue(listener.config().isAutoRead(), "accepting again");
    }

    @Test
    void aShortageIsReportedInOneLineAMinuteWithoutAStackTrace() {
        for (int i = 0; i < 1201; i++) {
            failures.failed(new IOException("accept(..) failed: Too many open files"));
            clock.addAndGet(50);
        }
        assertEquals(2, messages.size(), "one line per minute of a one-minute shortage: " + messages);
        assertNull(traces.get(0));
        assertTrue(messages.get(0).startsWith("probe port: cannot accept connections (accept(..) failed: Too many open files); 1 failure"),
                messages.get(0));
        assertTrue(messages.get(1).contains("; 1200 failures since the last report"), messages.get(1));
        assertFalse(messages.get(0).contains("\n"), "one line");
        assertEquals(1201, failures.failures());
    }

    @Test
    void otherErrorsGoOnDownThePipeline() {
        EmbeddedChannel listener = new EmbeddedChannel(failures);
        listener.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));
        try {
            listener.checkException();
            throw new AssertionError("the bug was swallowed");
        } catch (IllegalStateException expected) {
            assertTrue(listener.config().isAutoRead());
        }
    }
}
