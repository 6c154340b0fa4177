package plight.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import plight.config.LogSettings;
import plight.config.WebSettings;
import plight.state.State;
import plight.testkit.RawHttp;

/** A probe server on 127.0.0.1 and an ephemeral port, with limits chosen per test. */
final class TestServer implements AutoCloseable {
    final LiveResponses live;
    final ProbeServer server;
    /** What the server reported about connections it closed after errors (messages and stack traces). */
    final List<String> errorReports;

    private TestServer(LiveResponses live, ProbeServer server, List<String> errorReports) {
        this.live = live;
        this.server = server;
        this.errorReports = errorReports;
    }

    static Builder builder() {
        return new Builder();
    }

    static TestServer start() throws IOException {
        return builder().start();
    }

    int port() {
        return server.boundAddresses().get(0).getPort();
    }

    RawHttp connect() throws IOException {
        return new RawHttp(new InetSocketAddress("127.0.0.1", port()));
    }

    @Override
    public void close() {
        server.close();
    }

    static final class Builder {
        private State state = TestStates.ENABLED;
        private LiveResponses live;
        private List<String> hosts = List.of("127.0.0.1");
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxConnections = 1000;
        private int threads = 1;
        private ProbeListener listener = ProbeListener.NONE;
        private AccessLog accessLog = AccessLog.OFF;
        private Transport transport = Transport.best();
        private boolean http2;

        Builder state(State s) {
            state = s;
            return this;
        }

        /** Serve from this table instead of a new one on {@link #state}. */
        Builder live(LiveResponses l) {
            live = l;
            return this;
        }

        Builder hosts(String... h) {
            hosts = List.of(h);
            return this;
        }

        Builder requestTimeout(Duration d) {
            requestTimeout = d;
            return this;
        }

        Builder idleTimeout(Duration d) {
            idleTimeout = d;
            return this;
        }

        Builder maxConnections(int n) {
            maxConnections = n;
            return this;
        }

        Builder threads(int n) {
            threads = n;
            return this;
        }

        Builder listener(ProbeListener l) {
            listener = l;
            return this;
        }

        Builder accessLog(AccessLog a) {
            accessLog = a;
            return this;
        }

        /** The port speaks HTTP/2 and gRPC as well, as the daemon's does. */
        Builder http2() {
            http2 = true;
            return this;
        }

        Builder transport(Transport t) {
            transport = t;
            return this;
        }

        TestServer start() throws IOException {
            WebSettings web = new WebSettings(hosts, 0, "plight", "plight",
                    new LogSettings(Path.of("/dev/null"), "off", 0, 0), idleTimeout, requestTimeout, maxConnections,
                    threads);
            LiveResponses live = this.live != null ? this.live : new LiveResponses(state);
            List<String> reports = new CopyOnWriteArrayList<>();
            ProbeErrors errors = new ProbeErrors((message, trace) -> reports.add(message + (trace == null ? ""
                    : "\n" + java.util.Arrays.toString(trace.getStackTrace()))));
            Http2Switch h2 = http2 ? new plight.probe.h2.H2Server(live, listener,
                    new plight.config.GrpcSettings(List.of(), false), requestTimeout, idleTimeout) : null;
            ProbeServer server = new ProbeServer(web, live, listener, accessLog, transport, errors, h2);
            server.start();
            return new TestServer(live, server, reports);
        }
    }
}
