package plight.config;

import java.nio.file.Path;

/**
 * One rolling log file: {@code logfile}, {@code loglevel}, {@code filesize}, {@code rotationcount}.
 *
 * @param level tinylog level name in lower case ({@code trace} … {@code error}), or {@code off}
 */
public record LogSettings(Path file, String level, long fileSize, int rotationCount) {
    public boolean isOff() {
        return "off".equals(level);
    }
}
