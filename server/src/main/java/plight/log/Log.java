package plight.log;

import java.util.ArrayList;
import java.util.List;
import plight.control.Caller;
import plight.text.Json;
import plight.text.Timestamps;

/**
 * The application log's one entrance (and the access log's). In the text format (the default) a line is its
 * message with {@code {}} placeholders filled in order, and a throwable's stack trace after {@code ": "}. In the
 * JSON format ({@code [logging] format = json}) each line is one object: {@code ts}, {@code level}, {@code event}
 * ({@code log} unless the call names one), the event's fields, and {@code message}, the text line's message;
 * quoting keeps CR, LF and quotes inside the line.
 *
 * <p>The format and the sink are process-wide: the daemon {@link #start}s its {@link LogThread} once it has read
 * its configuration. Until then, and after {@link #stop}, lines go to the console as they are logged.
 */
public final class Log {
    private static final LogSink CONSOLE = new ConsoleSink();
    private static volatile boolean json;
    private static volatile LogSink sink = CONSOLE;

    private Log() {
    }

    public static void useJson(boolean on) {
        json = on;
    }

    /** From now on lines go to {@code to}. */
    public static void start(LogSink to) {
        sink = to;
    }

    /** Lines go to the console again (the daemon's log thread is being shut down). */
    public static void stop() {
        sink = CONSOLE;
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

    /** Whether an application-log line of {@code level} would be written anywhere. */
    public static boolean accepts(Level level) {
        return sink.accepts(level, false);
    }

    /** Whether access-log lines are written at all: the probe path skips formatting them when not. */
    public static boolean accessOn() {
        return sink.accepts(Level.INFO, true);
    }

    /** One access-log line, written as it is. */
    public static void access(String line) {
        LogSink s = sink;
        if (s.accepts(Level.INFO, true)) s.log(Level.INFO, true, System.currentTimeMillis(), line);
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
            emit(Level.INFO, format, args);
        }

        public void warn(String format, Object... args) {
            emit(Level.WARN, format, args);
        }

        public void error(String format, Object... args) {
            emit(Level.ERROR, format, args);
        }

        private void emit(Level level, String format, Object[] args) {
            LogSink s = sink;
            if (!s.accepts(level, false)) return;
            long now = System.currentTimeMillis();
            s.log(level, false, now, json ? render(level.lower(), now, format, args) : text(format, args));
        }

        /** The text line's message: as tinylog wrote it, the throwable after {@code ": "}. */
        String text(String format, Object[] args) {
            String message = message(format, args);
            if (thrown == null) return message;
            StringBuilder sb = new StringBuilder(message).append(": ");
            trace(thrown, sb);
            return sb.toString();
        }

        String render(String level, long epochMilli, String format, Object[] args) {
            StringBuilder sb = new StringBuilder(160);
            sb.append("{\"ts\":\"").append(Timestamps.isoUtcMillis(epochMilli)).append("\",\"level\":\"").append(level)
                    .append("\",\"event\":").append(Json.quote(name));
            for (String[] f : fields) {
                sb.append(',').append(Json.quote(f[0])).append(':').append(f[1]);
            }
            sb.append(",\"message\":").append(Json.quote(message(format, args)));
            if (thrown != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                thrown.printStackTrace(new java.io.PrintWriter(trace));
                sb.append(",\"error\":").append(Json.quote(thrown.toString()))
                        .append(",\"stack\":").append(Json.quote(trace.toString()));
            }
            return sb.append('}').toString();
        }
    }

    /** A throwable as tinylog's text lines had it: class, message, frames, then each cause after "Caused by: ". */
    static void trace(Throwable t, StringBuilder sb) {
        sb.append(t.getClass().getName());
        if (t.getMessage() != null) sb.append(": ").append(t.getMessage());
        for (StackTraceElement frame : t.getStackTrace()) {
            sb.append("\n\tat ").append(frame);
        }
        if (t.getCause() != null) {
            sb.append("\nCaused by: ");
            trace(t.getCause(), sb);
        }
    }

    /** {@code {}} placeholders filled in order, as tinylog's text lines had them; without arguments, none. */
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

    /** Before the daemon's log thread runs (and in tests that run parts of it): the console, at once. */
    private static final class ConsoleSink implements LogSink {
        private final Console console = new Console(LineFormat.TEXT);

        @Override
        public boolean accepts(Level level, boolean access) {
            return !access && level.compareTo(Level.INFO) >= 0 && level != Level.OFF;
        }

        @Override
        public synchronized void log(Level level, boolean access, long epochMilli, String message) {
            console.write(level, epochMilli, message);
        }
    }
}
