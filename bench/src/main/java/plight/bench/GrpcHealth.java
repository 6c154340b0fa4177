package plight.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The wire form of {@code grpc.health.v1.Health/Check}, by hand: bench main code carries no grpc-java or
 * protobuf runtime. A request is {@code HealthCheckRequest {string service = 1;}} in one uncompressed gRPC
 * message (flag byte 0, 4-byte big-endian length); an answer is {@code HealthCheckResponse {ServingStatus
 * status = 1;}}.
 */
final class GrpcHealth {
    static final String CHECK_PATH = "/grpc.health.v1.Health/Check";
    /** {@code ServingStatus} by number: UNKNOWN = 0, SERVING = 1, NOT_SERVING = 2, SERVICE_UNKNOWN = 3. */
    static final String[] STATUS_NAMES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    /** A HealthCheckResponse of any size would do; plight's and grpc-java's are 2 bytes. */
    static final int MAX_MESSAGE = 1024;

    private GrpcHealth() {
    }

    /**
     * The length-prefixed request message asking about {@code service}; the empty name (the server as a whole)
     * is the empty message, as proto3 leaves out default values.
     */
    static byte[] checkRequest(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        if (name.length > 0) {
            message.write(0x0A); // field 1, wire type 2 (length-delimited)
            writeVarint(message, name.length);
            message.writeBytes(name);
        }
        int n = message.size();
        ByteArrayOutputStream framed = new ByteArrayOutputStream(5 + n);
        framed.write(0); // not compressed
        framed.write(n >>> 24);
        framed.write(n >>> 16);
        framed.write(n >>> 8);
        framed.write(n);
        framed.writeBytes(message.toByteArray());
        return framed.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /**
     * The {@code status} of the one length-prefixed HealthCheckResponse in {@code bytes[0, length)}.
     *
     * @return 0 to 3 ({@link #STATUS_NAMES}; an absent field is UNKNOWN, 0); -1 when the bytes are not exactly
     *         one uncompressed gRPC message holding a HealthCheckResponse with a known status
     */
    static int responseStatus(byte[] bytes, int length) {
        if (length < 5 || bytes[0] != 0) {
            return -1;
        }
        long n = ((bytes[1] & 0xFFL) << 24) | ((bytes[2] & 0xFF) << 16) | ((bytes[3] & 0xFF) << 8) | (bytes[4] & 0xFF);
        if (n != length - 5) {
            return -1;
        }
        int status = 0;
        int i = 5;
        while (i < length) {
            long[] tag = varint(bytes, i, length);
            if (tag == null) {
                return -1;
            }
            i = (int) tag[1];
            int field = (int) (tag[0] >>> 3);
            int wireType = (int) (tag[0] & 7);
            if (wireType == 0) {
                long[] v = varint(bytes, i, length);
                if (v == null) {
                    return -1;
                }
                i = (int) v[1];
                if (field == 1) {
                    status = v[0] >= 0 && v[0] < STATUS_NAMES.length ? (int) v[0] : -1;
                }
            } else if (wireType == 2) {
                long[] len = varint(bytes, i, length);
                if (len == null || len[0] > length - len[1]) {
                    return -1;
                }
                i = (int) (len[1] + len[0]);
            } else if (wireType == 5 && i + 4 <= length) {
                i += 4;
            } else if (wireType == 1 && i + 8 <= length) {
                i += 8;
            } else {
                return -1;
            }
            if (status < 0) {
                return -1;
            }
        }
        return status;
    }

    /** A varint at {@code i}: {value, index after it}, or null when cut short or longer than 10 bytes. */
    private static long[] varint(byte[] b, int i, int end) {
        long value = 0;
        for (int shift = 0; shift < 70 && i < end; shift += 7) {
            byte x = b[i++];
            value |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return new long[] {value, i};
            }
        }
        return null;
    }
}
