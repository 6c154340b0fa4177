package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import plight.config.Config;
import plight.config.LogSettings;
import plight.log.Console;
import plight.log.Level;
import plight.log.LineFormat;
import plight.log.Log;
import plight.log.LogFile;
import plight.log.LogThread;

/**
 * Sets the daemon's log up from plight.conf: the application log and the access log as rolling files, plus the
 * console in the foreground (in the journal's format when stderr is the journal). One writing thread takes every
 * line off the event loops, and an access log at {@code OFF} gets no writer at all.
 */
final class Logging {
    private Logging() {
    }

    /** Starts the log thread; the returned one is given to {@link #stop}. */
    static LogThread start(Config config, boolean console, PrintStream err) {
        LogSettings app = config.appLog();
        Log.useJson(app.json());
        List<LogThread.Route> routes = new ArrayList<>();
        if (!app.isOff()) {
            rollingFile(routes, app, false, app.json() ? LineFormat.MESSAGE : LineFormat.TEXT, err);
        }
        LogSettings access = config.web().accessLog();
        if (!access.isOff()) {
            rollingFile(routes, access, true, LineFormat.MESSAGE, err);
        }
        if (console) {
            boolean journal = JournalWriter.isStderr(System.getenv("JOURNAL_STREAM"));
            // JSON lines carry their own ts; the journal stamps each entry itself (and takes the <N> prefix off).
            routes.add(new LogThread.Route(journal ? new JournalWriter(System.err) : new Console(app.json() ? LineFormat.MESSAGE : LineFormat.TEXT),
                    app.isOff() ? Level.INFO : Level.of(app.level()), false, journal ? "the journal" : "the console"));
        }
        LogThread thread = new LogThread(routes);
        thread.start();
        Log.start(thread);
        return thread;
    }

    /** Whether the access log has a writer: the probe path skips formatting entirely when not. */
    static boolean accessLogOn(Config config) {
        return !config.web().accessLog().isOff();
    }

    /** Writes what is queued and closes the files; later lines go to the console. */
    static void stop(LogThread thread) {
        Log.stop();
        try {
            thread.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void rollingFile(List<LogThread.Route> routes, LogSettings s, boolean access, LineFormat format, PrintStream err) {
        if (!usable(s.file(), err)) return;
        try {
            routes.add(new LogThread.Route(LogFile.open(s.file(), s.fileSize(), s.rotationCount(), format),
                    Level.of(s.level()), access, s.file().toString()));
        } catch (IOException e) {
            err.println("plight: warning: cannot open " + s.file() + ": " + plight.text.IoErrors.reason(e) + "; that log is off");
        }
    }

    /** A log file we cannot write is a warning on stderr, not a daemon that refuses to serve probes. */
    private static boolean usable(Path file, PrintStream err) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file) ? Files.isWritable(file) : Files.isWritable(file.toAbsolutePath().getParent())) {
                return true;
            }
            err.println("plight: warning: cannot write " + file + " (permission denied); that log is off");
        } catch (IOException e) {
            err.println("plight: warning: cannot create the directory of " + file + ": " + plight.text.IoErrors.reason(e) + "; that log is off");
        }
        return false;
    }
}
