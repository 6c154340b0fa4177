package plight.bench;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * A {@code Health/Check} load from grpc-java's own client (the client Kubernetes' probes are modelled on, and
 * what the issue asks the gRPC rate to be measured with): {@code CHANNELS} channels, each with {@code
 * CONCURRENCY} unary calls in flight, for {@code DURATION} seconds after {@code WARMUP} seconds. A call
 * counts when it ends with an answer (any ServingStatus); failed calls are errors.
 *
 * <p>Run by bench/scripts/h2-vs-nginx.sh: {@code GrpcCheckLoad HOST PORT CHANNELS CONCURRENCY DURATION WARMUP
 * [SERVICE]}; prints one line {@code requests N errors N rps X p50_us N p99_us N serving N}.
 */
final class GrpcCheckLoad {
    private GrpcCheckLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: GrpcCheckLoad HOST PORT CHANNELS CONCURRENCY DURATION_S WARMUP_S [SERVICE]");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int channels = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        long durationNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[5]));
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(args.length > 6 ? args[6] : "").build();

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("grpc-load", true),
                NioIoHandler.newFactory());
        Recorder latency = new Recorder(3);
        AtomicLong answered = new AtomicLong();
        AtomicLong serving = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureStart = start + warmupNanos;
        long end = measureStart + durationNanos;
        List<ManagedChannel> open = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            ManagedChannel ch = NettyChannelBuilder.forAddress(host, port).usePlaintext()
                    .eventLoopGroup(group).channelType(NioSocketChannel.class).directExecutor().build();
            open.add(ch);
            HealthGrpc.HealthStub stub = HealthGrpc.newStub(ch);
            for (int i = 0; i < concurrency; i++) {
                new Object() {
                    void call() {
                        long origin = System.nanoTime();
                        if (origin - end >= 0) {
                            return;
                        }
                        boolean measured = origin - measureStart >= 0;
                        stub.check(request, new StreamObserver<>() {
                            @Override
                            public void onNext(HealthCheckResponse r) {
                                if (measured) {
                                    latency.recordValue(Math.max(0, (System.nanoTime() - origin) / 1000));
                                    answered.incrementAndGet();
                                    if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                                        serving.incrementAndGet();
                                    }
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                if (measured) {
                                    errors.incrementAndGet();
                                }
                                call();
                            }

                            @Override
                            public void onCompleted() {
                                call();
                            }
                        });
                    }
                }.call();
            }
        }
        long wait;
        while ((wait = end - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        }
        TimeUnit.MILLISECONDS.sleep(500); // the last answers
        for (ManagedChannel ch : open) {
            ch.shutdownNow();
        }
        var h = latency.getIntervalHistogram();
        System.out.println(String.format(Locale.ROOT, "requests %d errors %d rps %.1f p50_us %d p99_us %d serving %d",
                answered.get(), errors.get(), answered.get() / (durationNanos / 1e9), h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), serving.get()));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
