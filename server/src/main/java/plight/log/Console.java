package plight.log;

import java.io.PrintStream;

/** The console in the foreground: warnings and errors on stderr, the rest on stdout. */
public final class Console implements LineWriter {
    private final LineFormat format;
    private final PrintStream out;
    private final PrintStream err;

    public Console(LineFormat format) {
        this(format, System.out, System.err);
    }

    Console(LineFormat format, PrintStream out, PrintStream err) {
        this.format = format;
        this.out = out;
        this.err = err;
    }

    @Override
    public void write(Level level, long epochMilli, String message) {
        (level.compareTo(Level.WARN) >= 0 ? err : out).print(format.line(level, epochMilli, message));
    }

    @Override
    public void flush() {
        out.flush();
        err.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
