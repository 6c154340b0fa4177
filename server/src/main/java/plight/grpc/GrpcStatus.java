package plight.grpc;

/** The gRPC status codes plight answers with (grpc/doc/statuscodes.md). */
public final class GrpcStatus {
    public static final int OK = 0;
    public static final int CANCELLED = 1;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;

    private GrpcStatus() {
    }
}
