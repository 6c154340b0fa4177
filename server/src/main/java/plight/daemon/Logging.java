package plight.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tinylog.configuration.Configuration;
import org.tinylog.provider.ProviderRegistry;
import plight.config.Config;
import plight.config.LogSettings;
import plight.log.Log;

/**
 * Sets tinylog up from plight.conf: the application log and the access log (tag {@code access}) as rolling
 * files, plus the console in the foreground (in the journal's format when stderr is the journal). One writing
 * thread takes every line off the event loops, and an access log at {@code OFF} gets no writer at all.
 */
final class Logging {
    static final String ACCESS_TAG = "access";

    private Logging() {
    }

    /** {@code [logging] format = json}: the message is the whole line, a JSON object made by {@link Log}. */
    private static final String JSON_FORMAT = "{message}";

    static void start(Config config, boolean console, PrintStream err) {
        Log.useJson(config.appLog().json());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("writingthread", "true");
        p.put("autoshutdown", "false");
        int n = 0;
        LogSettings app = config.appLog();
        if (!app.isOff() && usable(app.file(), err)) {
            n++;
            rollingFile(p, "writer" + n, app, "-", app.json() ? JSON_FORMAT
                    : "{date:yyyy-MM-dd HH:mm:ss.SSS} {level|min-size=5} {message}");
        }
        LogSettings access = config.web().accessLog();
        if (!access.isOff() && usable(access.file(), err)) {
            n++;
            rollingFile(p, "writer" + n, access, ACCESS_TAG, "{message}");
        }
        if (console) {
            n++;
            boolean journal = JournalWriter.isStderr(System.getenv("JOURNAL_STREAM"));
            p.put("writer" + n, journal ? JournalWriter.class.getName() : "console");
            p.put("writer" + n + ".tag", "-");
            p.put("writer" + n + ".level", app.isOff() ? "info" : app.level());
            // JSON lines carry their own ts; the journal stamps each entry itself (and takes the <N> prefix off).
            p.put("writer" + n + ".format", app.json() ? JSON_FORMAT : journal ? "{message}"
                    : "{date:yyyy-MM-dd HH:mm:ss.SSS} {level|min-size=5} {message}");
        }
        if (n == 0) {
            p.put("writer", "console");
            p.put("writer.level", "off");
        }
        Configuration.replace(p);
    }

    /** Whether the access log has a writer: the probe path skips formatting entirely when not. */
    static boolean accessLogOn(Config config) {
        return !config.web().accessLog().isOff();
    }

    static void stop() {
        try {
            ProviderRegistry.getLoggingProvider().shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void rollingFile(Map<String, String> p, String w, LogSettings s, String tag, String format) {
        p.put(w, "rolling file");
        p.put(w + ".file", s.file() + ".{count}");
        p.put(w + ".latest", s.file().toString());
        p.put(w + ".policies", "size: " + s.fileSize());
        p.put(w + ".backups", Integer.toString(s.rotationCount()));
        p.put(w + ".tag", tag);
        p.put(w + ".level", s.level());
        p.put(w + ".format", format);
        p.put(w + ".buffered", "true");
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
