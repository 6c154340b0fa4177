package plight.log;

import java.io.IOException;

/** One destination of log lines: a rolling file, the console, the journal. Used by one thread at a time. */
public interface LineWriter {
    void write(Level level, long epochMilli, String message) throws IOException;

    void flush() throws IOException;

    void close() throws IOException;
}
