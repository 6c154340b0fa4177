package plight.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;
import plight.control.Caller;
import plight.text.Json;

/**
 * The application log's one entrance. In the text format (the default) every call is exactly the tinylog call it
 * replaces, so text lines stay byte for byte what they were. In the JSON format ({@code [logging] format = json})
 * each line is one object: {@code ts}, {@code level}, {@code event} ({@code log} unless the call names one), the
 * event's fields, and {@code message}, the text line's message; quoting keeps CR, LF and quotes inside the line.
 *
 * <p>The format is process-wide, as tinylog's configuration is: {@link #useJson} is called once, before the daemon
 * starts logging.
 */
public final class Log {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static volatile boolean json;

    private Log() {
    }

    public static void useJson(boolean on) {
        json = on;
    }

    public static void info(String format, Object... args) {
        event("log").info(format, args);
    }

    public static void warn(String format, Object... args) {
        event("log").warn(format, args);
    }

    public static void warn(Throwable t, String format, Object... args) {
        event("log").thrown(t).warn(format, args);
    }

    public static void error(String format, Object... args) {
        event("log").error(format, args);
    }

    public static void error(Throwable t, String format, Object... args) {
        event("log").thrown(t).error(format, args);
    }

    /** An event with fields; in the text format only its message is written. */
    public static Event event(String name) {
        return new Event(name);
    }

    /** One line to be: a name, fields in order, maybe a throwable. Not shared between threads. */
    public static final class Event {
        private final String name;
        private final List<String[]> fields = new ArrayList<>();
        private Throwable thrown;

        private Event(String name) {
            this.name = name;
        }

        /** Adds a field; a {@code null} value is left out. Numbers are written as JSON numbers. */
        public Event field(String key, Object value) {
            if (value != null) {
                fields.add(new String[] {key, value instanceof Number ? value.toString() : Json.quote(value.toString())});
            }
            return this;
        }

        /** The caller's {@code by} (user name), {@code uid} and {@code pid}. */
        public Event caller(Caller caller) {
            return caller == null ? this : field("by", caller.user()).field("uid", caller.uid()).field("pid", caller.pid());
        }

        Event thrown(Throwable t) {
            this.thrown = t;
            return this;
        }

        public void info(String format, Object... args) {
            if (json) Logger.info((Object) render("info", format, args));
            else if (thrown != null) Logger.info(thrown, format, args);
            else if (args.length == 0) Logger.info(format);
            else Logger.info(format, args);
        }

        public void warn(String format, Object... args) {
            if (json) Logger.warn((Object) render("warn", format, args));
            else if (thrown != null) Logger.warn(thrown, format, args);
            else if (args.length == 0) Logger.warn(format);
            else Logger.warn(format, args);
        }

        public void error(String format, Object... args) {
            if (json) Logger.error((Object) render("error", format, args));
            else if (thrown != null) Logger.error(thrown, format, args);
            else if (args.length == 0) Logger.error(format);
            else Logger.error(format, args);
        }

        String render(String level, String format, Object[] args) {
            StringBuilder sb = new StringBuilder(160);
            sb.append("{\"ts\":\"").append(TS.format(Instant.now())).append("\",\"level\":\"").append(level)
                    .append("\",\"event\":").append(Json.quote(name));
            for (String[] f : fields) {
                sb.append(',').append(Json.quote(f[0])).append(':').append(f[1]);
            }
            sb.append(",\"message\":").append(Json.quote(message(format, args)));
            if (thrown != null) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                sb.append(",\"error\":").append(Json.quote(thrown.toString()))
                        .append(",\"stack\":").append(Json.quote(trace.toString()));
            }
            return sb.append('}').toString();
        }
    }

    /** tinylog's {@code {}} placeholders filled in order, as its text lines have them. */
    static String message(String format, Object[] args) {
        StringBuilder sb = new StringBuilder(format.length() + 32);
        int arg = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c == '{' && i + 1 < format.length() && format.charAt(i + 1) == '}' && arg < args.length) {
                sb.append(args[arg++]);
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
