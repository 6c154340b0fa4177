package plight.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** An {@code http://} URL to load, with its precomputed request bytes. */
final class Target {
    final String url;
    final String host;
    final int port;
    /** Path and query as sent on the request line. */
    final String requestTarget;
    final String hostHeader;

    private Target(String url, String host, int port, String requestTarget, String hostHeader) {
        this.url = url;
        this.host = host;
        this.port = port;
        this.requestTarget = requestTarget;
        this.hostHeader = hostHeader;
    }

    /** @throws IllegalArgumentException with a message saying what is wrong and what is valid */
    static Target parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage() + " (expected http://HOST[:PORT][/PATH])");
        }
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("http")) {
            throw new IllegalArgumentException("'" + url + "' is not an http:// URL (expected http://HOST[:PORT][/PATH];"
                    + " https is not supported)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' has no host (expected http://HOST[:PORT][/PATH])");
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        if (port == 0 || port > 65535) {
            throw new IllegalArgumentException("'" + url + "' has an invalid port (valid: 1-65535)");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        String hostHeader = uri.getPort() < 0 ? host : host + ":" + port;
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return new Target(url, bare, port, path, hostHeader);
    }

    InetSocketAddress resolve() throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** The request: a minimal HTTP/1.1 GET; with {@code Connection: close} for one-shot probes. */
    byte[] request(boolean close) {
        String r = "GET " + requestTarget + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
        return r.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return url;
    }
}
