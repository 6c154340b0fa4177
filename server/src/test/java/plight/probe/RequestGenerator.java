package plight.probe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random valid probe requests: methods, targets, versions, line endings, whitespace, header sets and
 * {@code Connection} spellings vary. Whether a request keeps the connection is decided here from what was
 * generated (the test's own oracle), not by the decoder under test.
 */
final class RequestGenerator {
    record Request(String text, boolean http11, boolean keepAlive, boolean head) {
        byte[] bytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    private static final String[] TARGETS = {"/", "*", "/health", "/a/b?c=d&e=f", "http://lb.example:8080/x",
        "/%7Euser/ünï", "/;p=1", "/" + "z".repeat(300)};

    private final Random random;

    RequestGenerator(Random random) {
        this.random = random;
    }

    /** One to {@code max} requests; all but the last keep the connection open. */
    List<Request> sequence(int max) {
        int n = 1 + random.nextInt(max);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(i < n - 1));
        }
        return requests;
    }

    static byte[] concat(List<Request> requests) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Request r : requests) {
            all.writeBytes(r.bytes());
        }
        return all.toByteArray();
    }

    Request request(boolean mustKeepAlive) {
        String method = pick("GET", "HEAD", "OPTIONS");
        int minor = random.nextInt(10) < 4 ? 0 : random.nextInt(10) < 8 ? 1 : 2;
        boolean http11 = minor > 0;
        String eol = random.nextInt(4) == 0 ? "\n" : "\r\n";
        StringBuilder text = new StringBuilder();
        if (random.nextInt(10) == 0) {
            text.append(eol);
        }
        text.append(method).append(space()).append(pick(TARGETS)).append(space()).append("HTTP/1.").append(minor);
        if (random.nextInt(10) == 0) {
            text.append(' ');
        }
        text.append(eol);

        boolean close = false;
        boolean keepAlive = false;
        int headers = random.nextInt(7);
        for (int i = 0; i < headers; i++) {
            switch (random.nextInt(7)) {
                case 0 -> text.append(caseOf("Host")).append(":").append(ows()).append("probe.example");
                case 1 -> text.append("User-Agent: HAProxy/2.8 (health check)");
                case 2 -> text.append(caseOf("Content-Length")).append(":").append(ows()).append("0").append(ows());
                case 3 -> text.append("X-").append(random.nextInt(1000)).append(": ").append(value());
                case 4 -> text.append("Accept: */*");
                default -> {
                    boolean wantClose = !mustKeepAlive && random.nextBoolean();
                    boolean wantKeepAlive = random.nextBoolean();
                    close |= wantClose;
                    keepAlive |= wantKeepAlive;
                    text.append(caseOf("Connection")).append(":").append(ows())
                            .append(tokens(wantClose, wantKeepAlive)).append(ows());
                }
            }
            text.append(eol);
        }
        if (mustKeepAlive && !http11 && !keepAlive) {
            text.append("Connection: ").append(tokens(false, true)).append(eol);
            keepAlive = true;
        }
        text.append(eol);
        boolean persistent = http11 ? !close : keepAlive && !close;
        return new Request(text.toString(), http11, persistent, method.equals("HEAD"));
    }

    private String tokens(boolean close, boolean keepAlive) {
        List<String> tokens = new ArrayList<>();
        if (random.nextBoolean()) {
            tokens.add(pick("Upgrade", "TE", "x-custom"));
        }
        if (close) {
            tokens.add(caseOf("close"));
        }
        if (keepAlive) {
            tokens.add(random.nextInt(tokens.size() + 1), caseOf("keep-alive"));
        }
        if (tokens.isEmpty()) {
            tokens.add("Upgrade");
        }
        return String.join(pick(",", ", ", " ,\t"), tokens);
    }

    private String value() {
        StringBuilder v = new StringBuilder();
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
            v.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
            if (random.nextInt(8) == 0) {
                v.append(' ');
            }
        }
        return v.toString();
    }

    private String space() {
        return random.nextInt(10) == 0 ? pick("  ", "\t", " \t ") : " ";
    }

    private String ows() {
        return pick("", " ", " ", "\t", "  ");
    }

    private String caseOf(String s) {
        return switch (random.nextInt(3)) {
            case 0 -> s;
            case 1 -> s.toUpperCase(java.util.Locale.ROOT);
            default -> s.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    /** Cut points splitting {@code length} bytes into chunks, anywhere, sometimes into single bytes. */
    static int[] cuts(Random random, int length) {
        if (random.nextInt(10) == 0) {
            int[] every = new int[length + 1];
            for (int i = 0; i <= length; i++) {
                every[i] = i;
            }
            return every;
        }
        int pieces = 1 + random.nextInt(Math.min(length, 12));
        java.util.TreeSet<Integer> points = new java.util.TreeSet<>(List.of(0, length));
        while (points.size() < pieces + 1) {
            points.add(1 + random.nextInt(length - 1 == 0 ? 1 : length - 1));
        }
        return points.stream().mapToInt(Integer::intValue).toArray();
    }
}
