package plight.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The INI dialect of the original plight.conf (Python's ConfigParser): {@code [section]} headers,
 * {@code key = value} or {@code key: value}, keys case-insensitive, full-line comments starting with {@code #}
 * or {@code ;}, and inline comments after whitespace followed by {@code ;} (a {@code #} inside a value is
 * kept: agent lines use it). Every entry keeps its
 * line number so that validation errors can point at it. Duplicate sections and keys are errors.
 */
public final class IniFile {
    /** One {@code key = value} line. {@code key} keeps the spelling of the file; lookups ignore case. */
    public record Entry(String key, String value, int line) {
    }

    /** One {@code [section]} with its entries in file order. */
    public record Section(String name, int line, Map<String, Entry> entries) {
        public Optional<Entry> get(String key) {
            return Optional.ofNullable(entries.get(key.toLowerCase(java.util.Locale.ROOT)));
        }
    }

    private final Path file;
    private final Map<String, Section> sections;

    private IniFile(Path file, Map<String, Section> sections) {
        this.file = file;
        this.sections = sections;
    }

    public static IniFile parse(Path file, String text) throws ConfigException {
        Map<String, Section> sections = new LinkedHashMap<>();
        Map<String, Entry> current = null;
        Entry last = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String raw = lines[i];
            String line = stripComment(raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            int control = plight.text.Controls.indexOf(line);
            if (control >= 0) {
                // NUL, a bare CR, NEL...: they would reach a response, a path or a log line from here.
                throw new ConfigException(file, lineNo, "control character " + plight.text.Controls.describe(line, control)
                        + " at column " + (raw.indexOf(line.charAt(control)) + 1) + " (only printable text and tabs are valid)");
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfigException(file, lineNo, "malformed section header '" + line + "' (expected [name])");
                }
                String name = line.substring(1, line.length() - 1).strip();
                if (sections.containsKey(name)) {
                    throw new ConfigException(file, lineNo, "duplicate section [" + name + "] (first at line "
                            + sections.get(name).line() + ")");
                }
                current = new LinkedHashMap<>();
                sections.put(name, new Section(name, lineNo, Collections.unmodifiableMap(current)));
                last = null;
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && last != null && indexOfSeparator(line) < 0) {
                // ConfigParser continuation line: appended to the previous value.
                Entry joined = new Entry(last.key(), last.value() + "\n" + line, last.line());
                current.put(last.key().toLowerCase(java.util.Locale.ROOT), joined);
                last = joined;
                continue;
            }
            int sep = indexOfSeparator(line);
            if (sep <= 0) {
                throw new ConfigException(file, lineNo, "expected 'key = value' or a [section], found '" + line + "'");
            }
            if (current == null) {
                throw new ConfigException(file, lineNo, "'" + line + "' is outside of any [section]");
            }
            String key = line.substring(0, sep).strip();
            String value = line.substring(sep + 1).strip();
            String folded = key.toLowerCase(java.util.Locale.ROOT);
            Entry previous = current.get(folded);
            if (previous != null) {
                throw new ConfigException(file, lineNo, "duplicate key '" + key + "' (first at line " + previous.line() + ")");
            }
            last = new Entry(key, value, lineNo);
            current.put(folded, last);
        }
        return new IniFile(file, Collections.unmodifiableMap(sections));
    }

    public Path file() {
        return file;
    }

    public Optional<Section> section(String name) {
        return Optional.ofNullable(sections.get(name));
    }

    public List<Section> sections() {
        return new ArrayList<>(sections.values());
    }

    private static int indexOfSeparator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) return colon;
        if (colon < 0) return eq;
        return Math.min(eq, colon);
    }

    private static String stripComment(String raw) {
        String trimmed = raw.stripLeading();
        if (trimmed.startsWith("#") || trimmed.startsWith(";")) {
            return "";
        }
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ';' && Character.isWhitespace(raw.charAt(i - 1))) {
                return raw.substring(0, i);
            }
        }
        return raw;
    }
}
