package plight.config;

import java.nio.file.Path;

/**
 * One rolling log file: {@code logfile}, {@code loglevel}, {@code filesize}, {@code rotationcount}, and its
 * line format ({@code [logging] format}, {@code [webserver] logformat}).
 *
 * @param level level name in lower case ({@code trace} … {@code error}), or {@code off}
 * @param json  one JSON object per line instead of the original's text lines
 */
public record LogSettings(Path file, String level, long fileSize, int rotationCount, boolean json) {
    /** A text log, the default. */
    public LogSettings(Path file, String level, long fileSize, int rotationCount) {
        this(file, level, fileSize, rotationCount, false);
    }

    public boolean isOff() {
        return "off".equals(level);
    }
}
