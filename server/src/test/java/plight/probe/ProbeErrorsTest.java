package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Connections closed after errors: every one counted, each kind reported at most once a minute. */
class ProbeErrorsTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<String> messages = new ArrayList<>();
    private final List<Throwable> traces = new ArrayList<>();
    private final ProbeErrors errors = new ProbeErrors((message, trace) -> {
        messages.add(message);
        traces.add(trace);
    }, clock::get);

    @Test
    void eachKindIsReportedOnceAMinuteWithTheCountSinceItsLastReport() {
        for (int i = 0; i < 1000; i++) {
            errors.closed(oom());
            clock.addAndGet(10);
        }
        assertEquals(1, messages.size(), "one report for a burst");
        assertTrue(messages.get(0).startsWith("probe port: closed 1 connection after out of memory"), messages.get(0));

        clock.addAndGet(ProbeErrors.INTERVAL_MILLIS);
        errors.closed(oom());
        assertEquals(2, messages.size());
        assertTrue(messages.get(1).startsWith("probe port: closed 1000 connections after"), messages.get(1));
        assertEquals(Map.of(OutOfMemoryError.class.getName(), 1001L), errors.counts());
    }

    @Test
    void allocationFailuresHaveNoStackTraceOtherErrorsDo() {
        errors.closed(oom());
        IllegalStateException bug = new IllegalStateException("a bug");
        errors.closed(bug);
        errors.closed(new IllegalStateException("the same kind again"));
        assertEquals(2, messages.size(), "a report per kind");
        assertNull(traces.get(0));
        assertNotNull(traces.get(1));
        assertTrue(messages.get(1).contains("an unexpected error (java.lang.IllegalStateException: a bug)"),
                messages.get(1));
        assertEquals(2L, errors.counts().get(IllegalStateException.class.getName()));
    }

    /** What the JDK throws when direct memory runs out (Netty's own OutOfDirectMemoryError is its subclass). */
    private static OutOfMemoryError oom() {
        return new OutOfMemoryError("Cannot reserve 16384 bytes of direct buffer memory");
    }
}
