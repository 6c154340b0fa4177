package plight.log;

/** Where {@link Log} hands its lines: the daemon's {@link LogThread}, or the console before it has one. */
public interface LogSink {
    /** Whether a line of {@code level} would be written anywhere: callers skip formatting when not. */
    boolean accepts(Level level, boolean access);

    /**
     * @param access     an access-log line (only access-log writers take it) rather than an application-log line
     * @param epochMilli when the line was logged
     * @param message    the message: the text line's message with its stack trace, or the whole JSON object
     */
    void log(Level level, boolean access, long epochMilli, String message);
}
