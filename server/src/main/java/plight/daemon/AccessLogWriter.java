package plight.daemon;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import org.tinylog.Logger;
import org.tinylog.TaggedLogger;
import plight.probe.AccessLog;
import plight.probe.Addresses;

/**
 * The access log: formats the original's line on the event loop (the request line must be copied out of the
 * buffer before it is reused) and hands it to tinylog's writing thread. The timestamp is rendered once per
 * second per event loop.
 */
final class AccessLogWriter implements AccessLog {
    private final TaggedLogger log = Logger.tag(Logging.ACCESS_TAG);
    private final ZoneId zone = ZoneId.systemDefault();
    private final ThreadLocal<Stamp> stamp = ThreadLocal.withInitial(Stamp::new);

    @Override
    public void log(InetSocketAddress remote, ByteBuf buf, int lineIndex, int lineLength, int status, int bytes) {
        String requestLine = lineLength == 0 ? "" : buf.toString(lineIndex, lineLength, StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder(96 + requestLine.length());
        sb.append(remote == null ? "-" : Addresses.of(remote.getAddress())).append(" - - [")
                .append(stamp.get().now(zone)).append("] \"");
        for (int i = 0; i < requestLine.length(); i++) {
            char c = requestLine.charAt(i);
            // A request line is the client's text: keep it on one line and inside its quotes.
            sb.append(c < 0x20 || c == 0x7f || c == '"' ? '?' : c);
        }
        sb.append("\" ").append(status).append(' ').append(bytes);
        log.info(sb);
    }

    /** One formatted second, reused until the clock moves on. */
    private static final class Stamp {
        private long second = Long.MIN_VALUE;
        private String text;

        String now(ZoneId zone) {
            long s = System.currentTimeMillis() / 1000;
            if (s != second) {
                second = s;
                text = AccessLog.CLF_TIME.format(Instant.ofEpochSecond(s).atZone(zone));
            }
            return text;
        }
    }
}
