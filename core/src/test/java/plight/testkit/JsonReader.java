package plight.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON reader for the tests: objects as ordered maps, arrays as lists, numbers as {@code Long}
 * (integers) or {@code Double}; throws on anything invalid, so that a test tells valid output from invalid.
 */
public final class JsonReader {
    private final String s;
    private int at;

    private JsonReader(String s) {
        this.s = s;
    }

    /** One JSON value and nothing after it but white space. */
    public static Object parse(String text) {
        JsonReader p = new JsonReader(text.strip());
        Object v = p.value();
        if (p.at != p.s.length()) throw new IllegalArgumentException("trailing text at " + p.at + ": " + text);
        return v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new IllegalArgumentException("not a JSON object: " + text);
        return (Map<String, Object>) v;
    }

    private Object value() {
        skip();
        if (at >= s.length()) throw bad("end of input");
        char c = s.charAt(at);
        if (c == '{') {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            skip();
            if (peek('}')) return m;
            do {
                skip();
                String k = string();
                skip();
                expect(':');
                if (m.put(k, value()) != null) throw bad("duplicate key " + k);
                skip();
            } while (peek(','));
            expect('}');
            return m;
        }
        if (c == '[') {
            List<Object> l = new ArrayList<>();
            at++;
            skip();
            if (peek(']')) return l;
            do {
                l.add(value());
                skip();
            } while (peek(','));
            expect(']');
            return l;
        }
        if (c == '"') return string();
        for (String lit : List.of("true", "false", "null")) {
            if (s.startsWith(lit, at)) {
                at += lit.length();
                return lit.equals("null") ? null : Boolean.valueOf(lit);
            }
        }
        int start = at;
        while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) at++;
        String num = s.substring(start, at);
        if (!num.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) throw bad("not a value: '" + num + "'");
        return num.matches("-?\\d+") ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (at >= s.length()) throw bad("unterminated string");
            char c = s.charAt(at++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw bad("control character in a string");
            if (c == '\\') {
                if (at >= s.length()) throw bad("unterminated escape");
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (at + 4 > s.length()) throw bad("short \\u escape");
                        sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw bad("bad escape \\" + e);
                }
            } else {
                sb.append(c);
            }
        }
    }

    private boolean peek(char c) {
        if (at < s.length() && s.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw bad("expected '" + c + "'");
    }

    private void skip() {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("invalid JSON at " + at + ": " + what + " in " + s);
    }
}
