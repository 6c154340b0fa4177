package plight.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import plight.config.GrpcSettings;
import plight.probe.ProbeListener;
import plight.probe.h2.H2TestServer;
import plight.state.State;

/** grpc-java's own HealthGrpc client against the probe port: Check, Watch and List follow the node's state. */
class GrpcHealthTest {
    private static final GrpcSettings ORDERS = new GrpcSettings(List.of("orders"), false);
    private static final State DRAINING_200 = new State("draining", Path.of("/nonexistent/draining"), 200, "draining",
            "drain", "up drain", Map.of(), 3, false);

    private H2TestServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private ManagedChannel channel() {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        channels.add(c);
        return c;
    }

    private HealthGrpc.HealthBlockingStub blocking() {
        return HealthGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Starts the server with the service "orders" configured; a stub for watches, on a channel of its own. */
    private HealthGrpc.HealthStub startWithOrders() throws IOException {
        server = H2TestServer.start(ORDERS);
        return HealthGrpc.newStub(channel());
    }

    private static HealthCheckRequest service(String name) {
        return HealthCheckRequest.newBuilder().setService(name).build();
    }

    @Test
    void checkAnswersEachStateForTheNodeAndTheConfiguredServices() throws Exception {
        server = H2TestServer.start(ORDERS);
        HealthGrpc.HealthBlockingStub health = blocking();
        assertEquals(ServingStatus.SERVING, health.check(service("")).getStatus());
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        assertEquals(ServingStatus.SERVING, health.check(service("orders")).getStatus());
        server.live.show(H2TestServer.DISABLED);
        assertEquals(ServingStatus.NOT_SERVING, health.check(service("")).getStatus());
        assertEquals(ServingStatus.NOT_SERVING, health.check(service("orders")).getStatus());
        server.live.show(H2TestServer.OFFLINE);
        assertEquals(ServingStatus.NOT_SERVING, health.check(service("")).getStatus());
        server.live.show(DRAINING_200);
        assertEquals(ServingStatus.NOT_SERVING, health.check(service("")).getStatus(), "grpc = not_serving overrides 200");
        server.live.show(H2TestServer.ENABLED);
        assertEquals(ServingStatus.SERVING, health.check(service("orders")).getStatus());
        assertEquals(Map.of("enabled", 4L, "disabled", 2L, "offline", 1L, "draining", 1L), server.http2.grpcServed());
    }

    @Test
    void anUnknownServiceIsNotFound() throws Exception {
        server = H2TestServer.start(ORDERS);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().check(service("billing")));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void notServingStatusUnavailableAnswersNotServingWithStatus14() throws Exception {
        server = H2TestServer.start(new GrpcSettings(List.of(), true));
        HealthGrpc.HealthBlockingStub health = blocking();
        assertEquals(ServingStatus.SERVING, health.check(service("")).getStatus());
        server.live.show(H2TestServer.OFFLINE);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> health.check(service("")));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    /** grpc-services 1.85 predates List: its request and answer as bytes, the answer read with protobuf-java. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    private Map<String, ServingStatus> list(ManagedChannel c) throws Exception {
        MethodDescriptor<byte[], byte[]> list = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("grpc.health.v1.Health/List")
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        byte[] answer = ClientCalls.blockingUnaryCall(c, list, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]);
        Map<String, ServingStatus> statuses = new java.util.HashMap<>();
        com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(answer);
        while (!in.isAtEnd()) {
            assertEquals(1 << 3 | 2, in.readTag(), "statuses = 1, a map entry");
            com.google.protobuf.CodedInputStream entry = in.readBytes().newCodedInput();
            String key = "";
            HealthCheckResponse value = HealthCheckResponse.getDefaultInstance();
            for (int tag = entry.readTag(); tag != 0; tag = entry.readTag()) {
                if (tag == (1 << 3 | 2)) {
                    key = entry.readString();
                } else {
                    value = HealthCheckResponse.parseFrom(entry.readBytes());
                }
            }
            statuses.put(key, value.getStatus());
        }
        return statuses;
    }

    @Test
    void listNamesTheNodeAndEveryService() throws Exception {
        server = H2TestServer.start(ORDERS);
        ManagedChannel c = channel();
        assertEquals(Map.of("", ServingStatus.SERVING, "orders", ServingStatus.SERVING), list(c));
        server.live.show(H2TestServer.DISABLED);
        assertEquals(Map.of("", ServingStatus.NOT_SERVING, "orders", ServingStatus.NOT_SERVING), list(c));
    }

    @Test
    void anUnknownMethodIsUnimplemented() throws Exception {
        server = H2TestServer.start();
        MethodDescriptor<HealthCheckRequest, HealthCheckResponse> nope = MethodDescriptor.<HealthCheckRequest, HealthCheckResponse>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("grpc.health.v1.Health/Nope")
                .setRequestMarshaller(ProtoUtils.marshaller(HealthCheckRequest.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(HealthCheckResponse.getDefaultInstance())).build();
        ManagedChannel c = channel();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(c, nope,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), service("")));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        // The connection is still good for the real methods.
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(c).check(service("")).getStatus());
    }

    /** The next thing each of {@code watchers} receives is {@code expected}. */
    private static void assertNext(Object expected, Watcher... watchers) throws InterruptedException {
        for (Watcher w : watchers) {
            assertEquals(expected, w.next());
        }
    }

    @Test
    void watchSendsTheStatusAtOnceThenEveryChange() throws Exception {
        HealthGrpc.HealthStub stub = startWithOrders();
        Watcher node = Watcher.watch(stub, "");
        Watcher orders = Watcher.watch(stub, "orders");
        assertNext(ServingStatus.SERVING, node, orders);
        server.live.show(H2TestServer.DISABLED);
        assertNext(ServingStatus.NOT_SERVING, node, orders);
        server.live.show(H2TestServer.OFFLINE); // still NOT_SERVING: nothing to send
        server.live.show(H2TestServer.ENABLED);
        assertNext(ServingStatus.SERVING, node, orders);
    }

    @Test
    void watchOfAnUnknownServiceSaysServiceUnknownAndStaysOpenUntilTheServerStops() throws Exception {
        HealthGrpc.HealthStub stub = startWithOrders();
        Watcher unknown = Watcher.watch(stub, "billing");
        Watcher node = Watcher.watch(stub, "");
        assertEquals(ServingStatus.SERVICE_UNKNOWN, unknown.next());
        assertEquals(ServingStatus.SERVING, node.next());
        server.live.show(H2TestServer.DISABLED);
        assertEquals(ServingStatus.NOT_SERVING, node.next());
        assertTrue(unknown.seen.isEmpty(), "an unknown service has no change to report: " + unknown.seen);
        server.close();
        // Ended with a status, not cut off: the stop is announced.
        assertNext(Status.Code.UNAVAILABLE, unknown, node);
    }

    @Test
    void aWatchEndsWithDeadlineExceededWhenItsTimeoutRunsOut() throws Exception {
        server = H2TestServer.start();
        Watcher w = Watcher.watch(HealthGrpc.newStub(channel()).withDeadlineAfter(300, TimeUnit.MILLISECONDS), "");
        assertEquals(ServingStatus.SERVING, w.next());
        assertEquals(Status.Code.DEADLINE_EXCEEDED, w.next());
    }

    @Test
    void aThousandWatchesOverEightConnectionsAllSeeEveryChange() throws Exception {
        server = H2TestServer.start(GrpcSettings_none(), Duration.ofSeconds(5), Duration.ofSeconds(60), 1000, ProbeListener.NONE);
        List<Watcher> watchers = new ArrayList<>();
        List<HealthGrpc.HealthStub> stubs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            stubs.add(HealthGrpc.newStub(channel()));
        }
        for (int i = 0; i < 1000; i++) {
            watchers.add(Watcher.watch(stubs.get(i % stubs.size()), ""));
        }
        for (Watcher w : watchers) {
            assertEquals(ServingStatus.SERVING, w.next());
        }
        ServingStatus expected = ServingStatus.SERVING;
        for (int change = 0; change < 6; change++) {
            boolean disable = change % 2 == 0;
            server.live.show(disable ? H2TestServer.DISABLED : H2TestServer.ENABLED);
            expected = disable ? ServingStatus.NOT_SERVING : ServingStatus.SERVING;
            for (Watcher w : watchers) {
                assertEquals(expected, w.next());
            }
        }
        assertEquals(8, server.http2.openGrpc());
    }

    private static GrpcSettings GrpcSettings_none() {
        return new GrpcSettings(List.of(), false);
    }
}
