package plight.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import plight.config.GrpcSettings;
import plight.state.State;

/**
 * The {@code grpc.health.v1.Health} service over the node's state: which method a path names, which status a
 * service has in a state, and every answer already encoded. Service {@code ""} is the node, and so is each of
 * {@code [grpc] services}; a state is SERVING when {@link State#servesGrpc()}.
 *
 * <p>Immutable and shared by every connection: the messages (a few bytes each) are rendered once, when the
 * daemon starts, in read-only buffers that writers duplicate; the header blocks are Netty header objects that
 * each connection's HPACK encoder reads.
 */
public final class Health {
    /** The methods of grpc.health.v1.Health, each with its path. */
    public enum Method {
        CHECK("Check"), WATCH("Watch"), LIST("List");

        private final AsciiString path;

        Method(String name) {
            path = AsciiString.cached("/grpc.health.v1.Health/" + name);
        }
    }

    public static final AsciiString PATH_PREFIX = AsciiString.cached("/grpc.health.v1.Health/");
    private static final Method[] METHODS = Method.values();
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    /** Largest request message taken: a service name of a few hundred bytes and some room for unknown fields. */
    public static final int MAX_MESSAGE = 4096;

    /** {@code :status 200} and the content type: what every gRPC answer starts with. */
    public static final Http2Headers RESPONSE_HEADERS = new DefaultHttp2Headers(false)
            .status(AsciiString.cached("200")).set(AsciiString.cached("content-type"), APPLICATION_GRPC)
            .set(AsciiString.cached("grpc-accept-encoding"), AsciiString.cached("identity"));
    public static final Http2Headers TRAILERS_OK = trailers(GrpcStatus.OK, null, false);

    private static final ByteBuf[] CHECK_FRAMES = new ByteBuf[4];

    static {
        for (int status = 0; status < CHECK_FRAMES.length; status++) {
            CHECK_FRAMES[status] = readOnly(HealthMessages.frame(HealthMessages.checkResponse(status)));
        }
    }

    private final Set<String> services;
    private final boolean notServingUnavailable;
    private final ByteBuf listServing;
    private final ByteBuf listNotServing;

    public Health(GrpcSettings settings) {
        Set<String> names = new LinkedHashSet<>();
        names.add("");
        names.addAll(settings.services());
        this.services = Set.copyOf(names);
        this.notServingUnavailable = settings.notServingUnavailable();
        this.listServing = readOnly(HealthMessages.frame(HealthMessages.listResponse(all(names, HealthMessages.SERVING))));
        this.listNotServing = readOnly(HealthMessages.frame(HealthMessages.listResponse(all(names, HealthMessages.NOT_SERVING))));
    }

    private static Map<String, Integer> all(Set<String> names, int status) {
        Map<String, Integer> statuses = new LinkedHashMap<>();
        names.forEach(n -> statuses.put(n, status));
        return statuses;
    }

    /** The method {@code path} names, or {@code null} for anything else (answered UNIMPLEMENTED). */
    public static Method method(CharSequence path) {
        if (path == null) return null;
        for (Method m : METHODS) {
            if (m.path.contentEquals(path)) return m;
        }
        return null;
    }

    /** {@code application/grpc}, optionally {@code +proto} or with parameters; any other subtype is not ours. */
    public static boolean isGrpc(CharSequence contentType) {
        if (contentType == null || !AsciiString.regionMatches(contentType, true, 0, APPLICATION_GRPC, 0, APPLICATION_GRPC.length())) {
            return false;
        }
        int n = APPLICATION_GRPC.length();
        if (contentType.length() == n) return true;
        char next = contentType.charAt(n);
        if (next == ';') return true;
        return next == '+' && AsciiString.regionMatches(contentType, true, n + 1, "proto", 0, 5)
                && (contentType.length() == n + 6 || contentType.charAt(n + 6) == ';');
    }

    /** The status of {@code service} while the node is in {@code state}: SERVING, NOT_SERVING or SERVICE_UNKNOWN. */
    public int status(String service, State state) {
        if (!services.contains(service)) return HealthMessages.SERVICE_UNKNOWN;
        return state.servesGrpc() ? HealthMessages.SERVING : HealthMessages.NOT_SERVING;
    }

    /** NOT_SERVING answers to {@code Check} carry grpc-status 14 ({@code not_serving_status = unavailable}). */
    public boolean notServingUnavailable() {
        return notServingUnavailable;
    }

    /** A {@code HealthCheckResponse} with {@code status}, framed; the caller writes it (no release needed). */
    public static ByteBuf checkFrame(int status) {
        return CHECK_FRAMES[status].duplicate();
    }

    /** The {@code HealthListResponse} for a node that is serving or not, framed. */
    public ByteBuf listFrame(boolean serving) {
        return (serving ? listServing : listNotServing).duplicate();
    }

    /**
     * Trailers that end a call with {@code status}.
     *
     * @param only the call has sent nothing yet: the trailers are the whole answer ("Trailers-Only"), so they
     *             carry {@code :status} and the content type as well
     */
    public static Http2Headers trailers(GrpcStatus status, String message, boolean only) {
        Http2Headers h = new DefaultHttp2Headers(false);
        if (only) {
            h.add(RESPONSE_HEADERS);
        }
        h.set(GRPC_STATUS, AsciiString.cached(Integer.toString(status.code)));
        if (message != null) {
            h.set(GRPC_MESSAGE, AsciiString.cached(message)); // percent-encoding: plight's messages are plain ASCII
        }
        return h;
    }

    /**
     * A {@code grpc-timeout} value (1-8 digits and a unit: H, M, S, m, u, n) in nanoseconds, saturating;
     * -1 when absent or malformed (a call without a deadline).
     */
    public static long timeoutNanos(CharSequence value) {
        if (value == null || value.length() < 2 || value.length() > 9) return -1;
        long n = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        long unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> 3_600_000_000_000L;
            case 'M' -> 60_000_000_000L;
            case 'S' -> 1_000_000_000L;
            case 'm' -> 1_000_000L;
            case 'u' -> 1_000L;
            case 'n' -> 1L;
            default -> -1;
        };
        if (unit < 0) return -1;
        return n > Long.MAX_VALUE / unit ? Long.MAX_VALUE : n * unit;
    }

    private static ByteBuf readOnly(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                java.nio.ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer()));
    }
}
