package plight.grpc;

/** The gRPC status codes plight answers with (grpc/doc/statuscodes.md). */
public enum GrpcStatus {
    OK(0), CANCELLED(1), DEADLINE_EXCEEDED(4), NOT_FOUND(5), RESOURCE_EXHAUSTED(8), UNIMPLEMENTED(12), INTERNAL(13),
    UNAVAILABLE(14);

    /** The number sent in {@code grpc-status}. */
    public final int code;

    GrpcStatus(int code) {
        this.code = code;
    }
}
