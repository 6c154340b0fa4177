package plight.grpc;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The protobuf messages of {@code grpc.health.v1}, by hand: they are tiny and fixed, and a protobuf runtime
 * would be the largest part of the daemon.
 * <pre>
 * HealthCheckRequest  { string service = 1; }
 * HealthCheckResponse { ServingStatus status = 1; }   UNKNOWN = 0, SERVING = 1, NOT_SERVING = 2, SERVICE_UNKNOWN = 3
 * HealthListRequest   { }
 * HealthListResponse  { map&lt;string, HealthCheckResponse&gt; statuses = 1; }
 * </pre>
 */
public final class HealthMessages {
    public static final int SERVING = 1;
    public static final int NOT_SERVING = 2;
    public static final int SERVICE_UNKNOWN = 3;

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private HealthMessages() {
    }

    /**
     * The {@code service} of a {@code HealthCheckRequest} (also reads a {@code HealthListRequest}: no fields);
     * unknown fields are skipped as protobuf requires.
     *
     * @return the service, {@code ""} when absent; {@code null} when the bytes are not a valid message
     */
    public static String service(ByteBuf in, int from, int to) {
        String service = "";
        int[] at = {from};
        while (at[0] < to) {
            long tag = varint(in, at, to);
            if (tag < 0) {
                return null;
            }
            int field = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case VARINT -> {
                    if (varint(in, at, to) < 0) return null;
                }
                case FIXED64 -> at[0] += 8;
                case FIXED32 -> at[0] += 4;
                case LENGTH_DELIMITED -> {
                    long length = varint(in, at, to);
                    if (length < 0 || length > to - at[0]) return null;
                    if (field == 1) {
                        service = in.toString(at[0], (int) length, StandardCharsets.UTF_8);
                    }
                    at[0] += (int) length;
                }
                default -> {
                    return null;
                }
            }
            if (field == 0 || at[0] > to) {
                return null;
            }
        }
        return service;
    }

    /** Reads a varint at {@code at[0]}, moving it on; -1 when it is cut short or longer than 10 bytes. */
    private static long varint(ByteBuf in, int[] at, int to) {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (at[0] >= to) {
                return -1;
            }
            byte b = in.getByte(at[0]++);
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value & Long.MAX_VALUE;
            }
        }
        return -1;
    }

    /** A {@code HealthCheckResponse} with {@code status}. */
    public static byte[] checkResponse(int status) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2);
        if (status != 0) { // proto3 leaves a default value out
            out.write(VARINT | 1 << 3);
            writeVarint(out, status);
        }
        return out.toByteArray();
    }

    /** A {@code HealthListResponse} naming each service with its status, in the map's order. */
    public static byte[] listResponse(Map<String, Integer> statuses) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, Integer> e : statuses.entrySet()) {
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            lengthDelimited(entry, 1, e.getKey().getBytes(StandardCharsets.UTF_8));
            lengthDelimited(entry, 2, checkResponse(e.getValue()));
            lengthDelimited(out, 1, entry.toByteArray());
        }
        return out.toByteArray();
    }

    /** {@code message} as one gRPC length-prefixed message: uncompressed flag, 4-byte length, bytes. */
    public static byte[] frame(byte[] message) {
        byte[] framed = new byte[5 + message.length];
        framed[1] = (byte) (message.length >>> 24);
        framed[2] = (byte) (message.length >>> 16);
        framed[3] = (byte) (message.length >>> 8);
        framed[4] = (byte) message.length;
        System.arraycopy(message, 0, framed, 5, message.length);
        return framed;
    }

    private static void lengthDelimited(ByteArrayOutputStream out, int field, byte[] bytes) {
        out.write(LENGTH_DELIMITED | field << 3);
        writeVarint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7f) != 0) {
            out.write(value & 0x7f | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
