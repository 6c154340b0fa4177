package plight.bench;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * grpc-java's own health service ({@link HealthStatusManager}) on cleartext HTTP/2: the peer the grpc scenario
 * is tested and compared against. Service {@code ""} is SERVING, {@code "down"} NOT_SERVING; others unknown.
 *
 * <p>{@link #main}: {@code GrpcHealthServer PORT} serves on 127.0.0.1:PORT until killed, for
 * bench/scripts/h2-vs-nginx.sh.
 */
final class GrpcHealthServer implements AutoCloseable {
    final HealthStatusManager health = new HealthStatusManager();
    private final Server server;

    GrpcHealthServer(int port) throws IOException {
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("down", ServingStatus.NOT_SERVING);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(health.getHealthService())
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GrpcHealthServer PORT");
            System.exit(2);
        }
        GrpcHealthServer s = new GrpcHealthServer(Integer.parseInt(args[0]));
        System.out.println("grpc-java health server on 127.0.0.1:" + s.port());
        s.server.awaitTermination();
    }
}
