package plight.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import plight.config.Durations;

/**
 * The h2 and grpc scenarios' check before any load: one request on a connection of its own, so that a target
 * that does not speak cleartext HTTP/2 (or gRPC health) gives one clear error instead of a table of errors.
 */
final class H2Preflight {
    private H2Preflight() {
    }

    /**
     * @return the answer, e.g. {@code 200 over h2c, X-Plight-State: enabled} or {@code grpc-status 0, SERVING}
     * @throws IOException with a message fit for the user when the target cannot be reached or gives no answer
     */
    static String check(Target target, H2Call call, long timeoutNanos) throws IOException {
        try {
            target.resolve();
        } catch (UnknownHostException e) {
            throw new IOException("cannot reach " + target + ": unknown host " + target.host);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("plight-bench-preflight",
                true), NioIoHandler.newFactory());
        CompletableFuture<String> answer = new CompletableFuture<>();
        H2Connection.Lane lane = new H2Connection.Lane() {
            @Override
            public boolean started() {
                return true;
            }

            @Override
            public boolean open(long nanos) {
                return !answer.isDone();
            }

            @Override
            public void answered(long originNanos, long nowNanos, int code, int health, CharSequence state) {
                answer.complete(call.grpc()
                        ? "grpc-status " + code + (health >= 0 ? ", " + GrpcHealth.STATUS_NAMES[health] : "")
                        : code + " over h2c" + (state == null ? ", no x-plight-state header" : ", x-plight-state: " + state));
            }

            @Override
            public void lost(long originNanos, ErrorKind kind) {
                answer.completeExceptionally(new IOException(switch (kind) {
                    case PARSE -> target + (call.grpc() ? " does not answer gRPC health checks (no grpc-status, or"
                            + " not a HealthCheckResponse)" : " sent a malformed HTTP/2 answer");
                    case RESET -> target + " reset the HTTP/2 stream";
                    default -> target + " closed the connection without an HTTP/2 answer (does it speak cleartext"
                            + " HTTP/2 by prior knowledge?)";
                }));
            }

            @Override
            public void ended(H2Connection connection, boolean failed) {
                answer.completeExceptionally(new IOException(target + " closed the connection without an HTTP/2"
                        + " answer (does it speak cleartext HTTP/2 by prior knowledge?)"));
            }
        };
        try {
            ChannelFuture f = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                            timeoutNanos / 1_000_000)))
                    .remoteAddress(target.resolve())
                    .handler(H2Connection.create(lane, call, 1, 1, 0, timeoutNanos))
                    .connect();
            f.addListener((ChannelFuture cf) -> {
                if (!cf.isSuccess()) {
                    answer.completeExceptionally(new IOException("cannot reach " + target + ": "
                            + cf.cause().getMessage()));
                }
            });
            return answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (IOException) e.getCause();
        } catch (TimeoutException e) {
            throw new IOException("cannot reach " + target + ": no HTTP/2 answer within "
                    + Durations.format(Duration.ofNanos(timeoutNanos)) + " (--timeout)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking " + target);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
