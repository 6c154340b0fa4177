package plight.probe.h2;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import plight.config.GrpcSettings;
import plight.config.LogSettings;
import plight.config.WebSettings;
import plight.probe.AccessLog;
import plight.probe.LiveResponses;
import plight.probe.ProbeListener;
import plight.probe.ProbeServer;
import plight.probe.Transport;
import plight.state.State;

/** A probe port that speaks HTTP/1, HTTP/2 and gRPC, on 127.0.0.1 and an ephemeral port. */
public final class H2TestServer implements AutoCloseable {
    public static final State ENABLED = new State("enabled", null, 200, "OK", "enable", "up ready", Map.of(), 0);
    public static final State DISABLED = new State("disabled", Path.of("/nonexistent/node_disabled"), 404,
            "node is unavailable", "disable", "up drain", Map.of(), 1);
    public static final State OFFLINE = new State("offline", Path.of("/nonexistent/node_offline"), 503, "node is offline",
            "offline", "down", Map.of("X-Envoy-Immediate-Health-Check-Fail", "true"), 2);

    public final LiveResponses live;
    public final ProbeServer server;
    public final H2Server http2;

    private H2TestServer(GrpcSettings grpc, Duration requestTimeout, Duration idleTimeout, int maxConnections,
                         ProbeListener listener, H2Server.Limits limits) {
        WebSettings web = new WebSettings(List.of("127.0.0.1"), 0, "plight", "plight",
                new LogSettings(Path.of("/dev/null"), "off", 0, 0), idleTimeout, requestTimeout, maxConnections, 1);
        live = new LiveResponses(ENABLED);
        http2 = new H2Server(live, listener, grpc, requestTimeout, idleTimeout, limits);
        server = new ProbeServer(web, live, listener, AccessLog.OFF, Transport.best(), http2);
    }

    public static H2TestServer start() throws IOException {
        return start(new GrpcSettings(List.of(), false), Duration.ofSeconds(5), Duration.ofSeconds(60), 1000, ProbeListener.NONE);
    }

    public static H2TestServer start(GrpcSettings grpc) throws IOException {
        return start(grpc, Duration.ofSeconds(5), Duration.ofSeconds(60), 1000, ProbeListener.NONE);
    }

    public static H2TestServer start(GrpcSettings grpc, Duration requestTimeout, Duration idleTimeout, int maxConnections,
                                     ProbeListener listener) throws IOException {
        return start(grpc, requestTimeout, idleTimeout, maxConnections, listener, H2Server.Limits.DEFAULT);
    }

    public static H2TestServer start(GrpcSettings grpc, Duration requestTimeout, Duration idleTimeout, int maxConnections,
                                     ProbeListener listener, H2Server.Limits limits) throws IOException {
        H2TestServer started = new H2TestServer(grpc, requestTimeout, idleTimeout, maxConnections, listener, limits);
        started.server.start();
        return started;
    }

    public int port() {
        return server.boundAddresses().get(0).getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
