package plight.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Dsl;

/**
 * AsyncHttpClient set up as a load balancer's health checker is: no retries (a failed check is a failed check,
 * not something to hide), no redirects, our own timeouts, native epoll when available.
 */
final class Ahc {
    static final String USER_AGENT = "plight-bench";

    private Ahc() {
    }

    /**
     * @param keepAlive {@code true}: connections are pooled and reused (Envoy); {@code false}: every request
     *                  says {@code Connection: close} and gets a connection of its own (HAProxy, F5, Kubernetes)
     * @param threads   event-loop threads
     */
    static AsyncHttpClient client(boolean keepAlive, int threads, String transport, long timeoutNanos) {
        Duration timeout = Duration.ofNanos(timeoutNanos);
        DefaultAsyncHttpClientConfig.Builder b = Dsl.config()
                .setKeepAlive(keepAlive)
                .setMaxRequestRetry(0)
                .setFollowRedirect(false)
                .setConnectTimeout(timeout)
                .setRequestTimeout(timeout)
                .setReadTimeout(timeout)
                .setTcpNoDelay(true)
                .setUserAgent(USER_AGENT)
                .setIoThreadsCount(threads)
                .setThreadFactory(new DefaultThreadFactory("plight-bench-ahc", true))
                .setUseNativeTransport(!transport.equals("nio") && Transport.select(transport).name().equals("epoll"));
        return Dsl.asyncHttpClient(b);
    }
}
