package plight.control;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import plight.config.Durations;

/**
 * One parsed request line: {@code COMMAND [ARG] [key=value ...] [reason=free text to the end of the line]}.
 * Parsing never throws anything but {@link BadRequest}, whose message is the error line's text.
 */
public sealed interface Request {
    int MAX_LINE_BYTES = 4096;
    /** The protocol's request words: not the CLI's command names, which are {@link plight.config.ReservedCommands}. */
    List<String> COMMANDS = List.of("status", "list", "set", "reload", "stats", "metrics", "wait", "stop", "version",
            "help");

    record Status() implements Request { }

    record ListStates() implements Request { }

    /** @param state a state name or verb */
    record Set(String state, String reason, Duration ttl) implements Request { }

    record Reload() implements Request { }

    record Stats() implements Request { }

    /** The Prometheus text exposition, one {@code line} field per line (node_exporter's textfile collector). */
    record Metrics() implements Request { }

    /** Wait until every probe source seen within {@code window} was served {@code state} {@code fall} times. */
    record Wait(String state, int fall, Duration timeout, Duration window) implements Request { }

    record Stop() implements Request { }

    record Version() implements Request { }

    record Help() implements Request { }

    final class BadRequest extends Exception {
        public BadRequest(String message) {
            super(message);
        }
    }

    static Request parse(String line) throws BadRequest {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) throw new BadRequest("empty request (valid: " + String.join(", ", COMMANDS) + ")");
        int control = plight.text.Controls.indexOf(trimmed);
        if (control >= 0) {
            throw new BadRequest("control character in the request (" + plight.text.Controls.describe(trimmed, control)
                    + "; a request is one line of text)");
        }
        String[] head = trimmed.split("\\s+", 2);
        String command = head[0].toLowerCase(Locale.ROOT);
        String rest = head.length > 1 ? head[1] : "";
        return switch (command) {
            case "status" -> noArgs(new Status(), command, rest);
            case "list" -> noArgs(new ListStates(), command, rest);
            case "reload" -> noArgs(new Reload(), command, rest);
            case "stats" -> noArgs(new Stats(), command, rest);
            case "metrics" -> noArgs(new Metrics(), command, rest);
            case "stop" -> noArgs(new Stop(), command, rest);
            case "version" -> noArgs(new Version(), command, rest);
            case "help" -> noArgs(new Help(), command, rest);
            case "set" -> parseSet(rest);
            case "wait" -> parseWait(rest);
            default -> throw new BadRequest("unknown command '" + head[0] + "' (valid: " + String.join(", ", COMMANDS) + ")");
        };
    }

    private static Request noArgs(Request r, String command, String rest) throws BadRequest {
        if (!rest.isEmpty()) throw new BadRequest("'" + command + "' takes no arguments");
        return r;
    }

    private static Request parseSet(String rest) throws BadRequest {
        Options o = Options.parse(rest, "set STATE [ttl=DURATION] [reason=TEXT]", List.of("ttl"));
        return new Set(o.subject, o.reason, o.duration("ttl", null));
    }

    private static Request parseWait(String rest) throws BadRequest {
        Options o = Options.parse(rest, "wait STATE [fall=N] [timeout=DURATION] [window=DURATION]", List.of("fall", "timeout", "window"));
        if (o.reason != null) throw new BadRequest("'wait' takes no reason");
        int fall;
        try {
            fall = o.values.containsKey("fall") ? Integer.parseInt(o.values.get("fall")) : 3;
        } catch (NumberFormatException e) {
            fall = -1;
        }
        if (fall < 1 || fall > 1000) throw new BadRequest("fall must be a whole number 1-1000");
        return new Wait(o.subject, fall, o.duration("timeout", Duration.ofSeconds(60)), o.duration("window", Duration.ofMinutes(1)));
    }

    /** {@code SUBJECT key=value ... reason=rest of line}. */
    final class Options {
        final String subject;
        final java.util.Map<String, String> values = new java.util.HashMap<>();
        String reason;

        private Options(String subject) {
            this.subject = subject;
        }

        static Options parse(String rest, String usage, List<String> keys) throws BadRequest {
            String[] words = rest.isEmpty() ? new String[0] : rest.split("\\s+");
            if (words.length == 0 || words[0].contains("=")) throw new BadRequest("usage: " + usage);
            Options o = new Options(words[0]);
            int reasonAt = rest.indexOf(" reason=");
            String options = reasonAt < 0 ? rest : rest.substring(0, reasonAt);
            if (reasonAt >= 0) {
                String reason = rest.substring(reasonAt + " reason=".length()).strip();
                o.reason = reason.isEmpty() ? null : reason;
            }
            String[] optionWords = options.split("\\s+");
            for (int i = 1; i < optionWords.length; i++) {
                String w = optionWords[i];
                int eq = w.indexOf('=');
                String key = eq < 0 ? w : w.substring(0, eq);
                if (eq < 0 || !keys.contains(key)) throw new BadRequest("unexpected '" + w + "'; usage: " + usage);
                if (o.values.put(key, w.substring(eq + 1)) != null) throw new BadRequest("'" + key + "' given twice");
            }
            return o;
        }

        Duration duration(String key, Duration dflt) throws BadRequest {
            String v = values.get(key);
            if (v == null) return dflt;
            try {
                return Durations.parsePositive(key, v);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(e.getMessage());
            }
        }
    }
}
