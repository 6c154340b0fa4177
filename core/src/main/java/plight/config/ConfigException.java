package plight.config;

import java.nio.file.Path;

/** A configuration that must not be used; the message is one line naming file, line and problem. */
public final class ConfigException extends Exception {
    private final Path file;
    private final int line;
    private final String problem;

    /** {@code problem} may quote what the file says: a line break or control character in it is shown escaped, so the message stays one line. */
    public ConfigException(Path file, int line, String problem) {
        super((file == null ? "built-in defaults" : plight.text.Controls.escape(file.toString())) + (line > 0 ? ":" + line : "")
                + ": " + plight.text.Controls.escape(problem));
        this.file = file;
        this.line = line;
        this.problem = plight.text.Controls.escape(problem);
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0 when the problem is not on one line (e.g. the file cannot be read). */
    public int line() {
        return line;
    }

    public String problem() {
        return problem;
    }
}
