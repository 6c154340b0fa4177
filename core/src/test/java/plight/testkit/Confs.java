package plight.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The configuration texts the tests share, and the one way they fill and write them. */
public final class Confs {
    private Confs() {
    }

    /**
     * The original plight's plight.conf, SPEC's block verbatim (inline {@code ;} comments, a comment-only
     * continuation line, {@code states=} list without spaces), plus trailing spaces on some lines, as hand-edited
     * files have them.
     */
    public static final String ORIGINAL = String.join("\n",
            "[webserver]",
            "host = 0.0.0.0            ; comma-separated list allowed, IPv6 literals too",
            "port = 10101   ",
            "user = plight             ; used by the service files, not by the JVM",
            "group = plight",
            "logfile = /var/log/plight/access.log",
            "loglevel = INFO           ; OFF turns the access log off",
            "filesize = 1024000        ; bytes before rotation",
            "rotationcount = 10",
            "[logging]                 ; application log, same four keys",
            "logfile = /var/log/plight/plight.log  ",
            "loglevel = INFO",
            "filesize = 1024000",
            "rotationcount = 10",
            "[priorities]",
            "states = enabled,disabled,offline     ; lowest to highest priority",
            "[enabled]                 ; exactly one state has no file: the default state",
            "code = 200",
            "message = OK",
            "[disabled]",
            "file = /var/lib/plight/node_disabled",
            "code = 404",
            "message = node is unavailable",
            "command = disable         ; optional CLI verb: enabled, disabled, offline keep the original's",
            "                          ; enable, disable, offline; any other state defaults to its own name",
            "[offline]",
            "file = /var/lib/plight/node_offline",
            "code = 503",
            "message = node is offline\t ",
            "");

    /** {@link #ORIGINAL} with its log files in {@code @DIR@/log} and its state files in {@code @DIR@/state}. */
    public static final String ORIGINAL_IN_DIR = ORIGINAL.replace("/var/log/plight/", "@DIR@/log/")
            .replace("/var/lib/plight/", "@DIR@/state/");

    /** What {@code plight list-states} prints for {@link #ORIGINAL}. */
    public static final String ORIGINAL_LIST_STATES = "State: enabled [default]\nCode: 200\nMessage: OK\n\n"
            + "State: disabled\nCode: 404\nMessage: node is unavailable\n\n"
            + "State: offline\nCode: 503\nMessage: node is offline\n\n";

    /**
     * One node with the original's three states and every path in {@code @DIR@}: probe port {@code @PORT@},
     * agent port {@code @AGENT@} on 127.0.0.1, access log level {@code @ACCESS@}, socket mode {@code @MODE@}.
     */
    public static final String NODE = String.join("\n",
            "[webserver]",
            "host = 127.0.0.1",
            "port = @PORT@",
            "logfile = @DIR@/log/access.log",
            "loglevel = @ACCESS@",
            "[logging]",
            "logfile = @DIR@/log/plight.log",
            "loglevel = INFO",
            "[control]",
            "socket = @DIR@/run/control.sock",
            "mode = @MODE@",
            "[daemon]",
            "pidfile = @DIR@/run/plight.pid",
            "[agent]",
            "host = 127.0.0.1",
            "port = @AGENT@",
            "[priorities]",
            "states = enabled,disabled,offline",
            "[enabled]",
            "code = 200",
            "message = OK",
            "[disabled]",
            "file = @DIR@/state/node_disabled",
            "code = 404",
            "message = node is unavailable",
            "[offline]",
            "file = @DIR@/state/node_offline",
            "code = 503",
            "message = node is offline",
            "");

    /** {@link #ORIGINAL} with its log and state files in {@code dir}. */
    public static String original(Path dir) {
        return fill(ORIGINAL_IN_DIR, Map.of("DIR", dir.toString()));
    }

    /** {@code template} with every {@code @KEY@} replaced by its value. */
    public static String fill(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> v : values.entrySet()) {
            text = text.replace("@" + v.getKey() + "@", v.getValue());
        }
        return text;
    }

    /** Writes {@code text} to {@code file} in UTF-8. */
    public static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
