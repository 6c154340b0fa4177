package plight.grpc;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects what one Watch receives: each status, the status code it ends with, or "completed". */
public final class Watcher implements StreamObserver<HealthCheckResponse> {
    public final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

    /** Starts a Watch of {@code service} ("" for the node) on {@code stub}; what it receives goes to the Watcher returned. */
    public static Watcher watch(HealthGrpc.HealthStub stub, String service) {
        Watcher w = new Watcher();
        stub.watch(HealthCheckRequest.newBuilder().setService(service).build(), w);
        return w;
    }

    @Override
    public void onNext(HealthCheckResponse value) {
        seen.add(value.getStatus());
    }

    @Override
    public void onError(Throwable t) {
        seen.add(Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
        seen.add("completed");
    }

    /** The next thing received, waiting up to 10 s for it. */
    public Object next() throws InterruptedException {
        Object o = seen.poll(10, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("nothing within 10 s");
        }
        return o;
    }
}
