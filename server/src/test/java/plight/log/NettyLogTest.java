package plight.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.logging.InternalLogger;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Netty's log lines in plight's application log. */
class NettyLogTest {
    /** Takes info and above, keeps what it is given. */
    private static final class Capture implements LogSink {
        final List<String> lines = new ArrayList<>();

        @Override
        public boolean accepts(Level level, boolean access) {
            return !access && level.compareTo(Level.INFO) >= 0 && level != Level.OFF;
        }

        @Override
        public synchronized void log(Level level, boolean access, long epochMilli, String message) {
            lines.add(level + " " + message);
        }
    }

    @Test
    void warningsAndErrorsCarryNettysLoggerNameAndAThrowableAfterThePlaceholders() {
        Capture capture = new Capture();
        Log.start(capture);
        try {
            InternalLogger log = NettyLog.named("io.netty.channel.DefaultChannelPipeline");
            log.warn("An exceptionCaught() event was fired: {}", "x", new IOException("reset"));
            log.error("plain");
            log.debug("never {}", "built");
            log.trace("never");
            assertFalse(log.isDebugEnabled());
            assertTrue(log.isWarnEnabled());
            assertEquals(2, capture.lines.size(), capture.lines.toString());
            assertTrue(capture.lines.get(0).startsWith("WARN io.netty.channel.DefaultChannelPipeline: An exceptionCaught() event"
                    + " was fired: x: java.io.IOException: reset\n\tat "), capture.lines.get(0));
            assertEquals("ERROR io.netty.channel.DefaultChannelPipeline: plain", capture.lines.get(1));
        } finally {
            Log.stop();
        }
    }
}
