package plight.log;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Netty's own log lines (info and above) in the application log, prefixed with Netty's logger name. Installed by
 * the daemon before Netty logs anything: Netty would otherwise look for SLF4J (finding the no-op binding some
 * jars bring and refusing it), Log4j 2, Log4j, and settle on java.util.logging and its LogManager — some 70
 * classes, resident for the daemon's life, for lines that went to stderr only. Debug and trace are off, so Netty
 * skips building those messages.
 */
public final class NettyLog extends AbstractInternalLogger {
    private static final long serialVersionUID = 1L;

    /** For {@link InternalLoggerFactory#setDefaultFactory}. */
    public static InternalLoggerFactory factory() {
        return new InternalLoggerFactory() {
            @Override
            protected InternalLogger newInstance(String name) {
                return named(name);
            }
        };
    }

    static InternalLogger named(String name) {
        return new NettyLog(name);
    }

    private NettyLog(String name) {
        super(name);
    }

    private boolean on(Level level) {
        return Log.accepts(level);
    }

    private void log(Level level, String format, Object[] args, Throwable thrown) {
        if (!on(level)) return;
        Throwable t = thrown;
        Object[] a = args;
        // SLF4J's convention, which Netty follows: a throwable after the last placeholder's argument is the cause.
        if (t == null && a.length > 0 && a[a.length - 1] instanceof Throwable && placeholders(format) < a.length) {
            t = (Throwable) a[a.length - 1];
            a = java.util.Arrays.copyOf(a, a.length - 1);
        }
        Log.Event e = Log.event("netty").field("logger", name());
        if (t != null) e.thrown(t);
        String message = Log.message(format, a);
        switch (level) {
            case ERROR -> e.error("{}: {}", name(), message);
            case WARN -> e.warn("{}: {}", name(), message);
            default -> e.info("{}: {}", name(), message);
        }
    }

    private static int placeholders(String format) {
        int n = 0;
        for (int i = format.indexOf("{}"); i >= 0; i = format.indexOf("{}", i + 2)) n++;
        return n;
    }

    private static final Object[] NONE = {};

    @Override public boolean isTraceEnabled() { return false; }
    @Override public void trace(String msg) { }
    @Override public void trace(String format, Object arg) { }
    @Override public void trace(String format, Object a, Object b) { }
    @Override public void trace(String format, Object... args) { }
    @Override public void trace(String msg, Throwable t) { }
    @Override public boolean isDebugEnabled() { return false; }
    @Override public void debug(String msg) { }
    @Override public void debug(String format, Object arg) { }
    @Override public void debug(String format, Object a, Object b) { }
    @Override public void debug(String format, Object... args) { }
    @Override public void debug(String msg, Throwable t) { }
    @Override public boolean isInfoEnabled() { return on(Level.INFO); }
    @Override public void info(String msg) { log(Level.INFO, msg, NONE, null); }
    @Override public void info(String format, Object arg) { log(Level.INFO, format, new Object[] {arg}, null); }
    @Override public void info(String format, Object a, Object b) { log(Level.INFO, format, new Object[] {a, b}, null); }
    @Override public void info(String format, Object... args) { log(Level.INFO, format, args, null); }
    @Override public void info(String msg, Throwable t) { log(Level.INFO, msg, NONE, t); }
    @Override public boolean isWarnEnabled() { return on(Level.WARN); }
    @Override public void warn(String msg) { log(Level.WARN, msg, NONE, null); }
    @Override public void warn(String format, Object arg) { log(Level.WARN, format, new Object[] {arg}, null); }
    @Override public void warn(String format, Object a, Object b) { log(Level.WARN, format, new Object[] {a, b}, null); }
    @Override public void warn(String format, Object... args) { log(Level.WARN, format, args, null); }
    @Override public void warn(String msg, Throwable t) { log(Level.WARN, msg, NONE, t); }
    @Override public boolean isErrorEnabled() { return on(Level.ERROR); }
    @Override public void error(String msg) { log(Level.ERROR, msg, NONE, null); }
    @Override public void error(String format, Object arg) { log(Level.ERROR, format, new Object[] {arg}, null); }
    @Override public void error(String format, Object a, Object b) { log(Level.ERROR, format, new Object[] {a, b}, null); }
    @Override public void error(String format, Object... args) { log(Level.ERROR, format, args, null); }
    @Override public void error(String msg, Throwable t) { log(Level.ERROR, msg, NONE, t); }
}
