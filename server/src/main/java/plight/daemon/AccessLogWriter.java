package plight.daemon;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import plight.log.Log;
import plight.probe.AccessLog;
import plight.probe.Addresses;
import plight.text.Json;
import plight.text.Timestamps;

/**
 * The access log: formats the original's line on the event loop (the request line must be copied out of the
 * buffer before it is reused) and hands it to the log's writing thread. The timestamp is rendered once per
 * second per event loop.
 */
final class AccessLogWriter implements AccessLog {
    private final ZoneId zone = ZoneId.systemDefault();
    private final ThreadLocal<Stamp> stamp = ThreadLocal.withInitial(Stamp::new);
    private final boolean json;

    /** The original's text lines. */
    AccessLogWriter() {
        this(false);
    }

    /** @param json one JSON object per line ({@code [webserver] logformat = json}) instead of the original's line */
    AccessLogWriter(boolean json) {
        this.json = json;
    }

    @Override
    public void log(InetSocketAddress remote, ByteBuf buf, int lineIndex, int lineLength, int status, int bytes) {
        String requestLine = lineLength == 0 ? "" : buf.toString(lineIndex, lineLength, StandardCharsets.ISO_8859_1);
        Log.access(json ? jsonLine(remote, System.currentTimeMillis(), requestLine, status, bytes)
                : line(remote, stamp.get().now(zone), requestLine, status, bytes));
    }

    /** {@code {"ts","level","event":"probe","remote","request","status","bytes"}}; the request line quoted as JSON. */
    static String jsonLine(InetSocketAddress remote, long epochMilli, String requestLine, int status, int bytes) {
        return "{\"ts\":\"" + Timestamps.isoUtcMillis(epochMilli) + "\",\"level\":\"info\",\"event\":\"probe\",\"remote\":"
                + (remote == null ? "null" : Json.quote(Addresses.of(remote.getAddress())))
                + ",\"request\":" + Json.quote(requestLine) + ",\"status\":" + status + ",\"bytes\":" + bytes + "}";
    }

    /** The original's line, {@code %s - - [%s] "%s" %s %s}: address, local time, request line, code, size. */
    static String line(InetSocketAddress remote, String time, String requestLine, int status, int bytes) {
        StringBuilder sb = new StringBuilder(96 + requestLine.length());
        sb.append(remote == null ? "-" : Addresses.of(remote.getAddress())).append(" - - [").append(time).append("] \"");
        for (int i = 0; i < requestLine.length(); i++) {
            char c = requestLine.charAt(i);
            // A request line is the client's text: keep it on one line and inside its quotes.
            sb.append(c == '\t' || plight.text.Controls.isControl(c) || c == '"' ? '?' : c); // NEL and the other C1 bytes too
        }
        return sb.append("\" ").append(status).append(' ').append(bytes).toString();
    }

    /** One formatted second, reused until the clock moves on; Python's {@code log_date_time_string}, which the original used. */
    private static final class Stamp {
        private long second = Long.MIN_VALUE;
        private String text;

        String now(ZoneId zone) {
            long s = System.currentTimeMillis() / 1000;
            if (s != second) {
                second = s;
                text = Timestamps.clf(s, zone);
            }
            return text;
        }
    }
}
