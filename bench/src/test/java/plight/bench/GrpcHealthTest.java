package plight.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The hand-made wire form against protobuf's own (from grpc-services), byte for byte. */
class GrpcHealthTest {

    private static byte[] framed(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
    }

    @Test
    void checkRequestIsProtobufsEncodingInOneUncompressedGrpcMessage() {
        for (String service : new String[] {"", "a", "grpc.health.v1.Health", "x".repeat(300), "süß"}) {
            byte[] expected = framed(HealthCheckRequest.newBuilder().setService(service).build().toByteArray());
            assertArrayEquals(expected, GrpcHealth.checkRequest(service), service);
        }
    }

    @Test
    void responseStatusReadsEveryServingStatus() {
        for (HealthCheckResponse.ServingStatus st : new HealthCheckResponse.ServingStatus[] {
                HealthCheckResponse.ServingStatus.UNKNOWN, HealthCheckResponse.ServingStatus.SERVING,
                HealthCheckResponse.ServingStatus.NOT_SERVING, HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN}) {
            byte[] wire = framed(HealthCheckResponse.newBuilder().setStatus(st).build().toByteArray());
            assertEquals(st.getNumber(), GrpcHealth.responseStatus(wire, wire.length), st.name());
        }
    }

    @Test
    void responseStatusRejectsWhatIsNotOneHealthCheckResponse() {
        byte[] serving = framed(new byte[] {0x08, 0x01});
        assertEquals(1, GrpcHealth.responseStatus(serving, serving.length));
        assertEquals(-1, GrpcHealth.responseStatus(serving, 6), "cut short");
        assertEquals(-1, GrpcHealth.responseStatus(new byte[0], 0), "no message");
        byte[] compressed = serving.clone();
        compressed[0] = 1;
        assertEquals(-1, GrpcHealth.responseStatus(compressed, compressed.length), "compressed flag");
        byte[] two = Arrays.copyOf(serving, serving.length * 2);
        System.arraycopy(serving, 0, two, serving.length, serving.length);
        assertEquals(-1, GrpcHealth.responseStatus(two, two.length), "two messages");
        byte[] unknownStatus = framed(new byte[] {0x08, 0x09});
        assertEquals(-1, GrpcHealth.responseStatus(unknownStatus, unknownStatus.length), "status 9");
        byte[] otherField = framed(new byte[] {0x12, 0x01, 0x41, 0x08, 0x02});
        assertEquals(2, GrpcHealth.responseStatus(otherField, otherField.length), "unknown fields are skipped");
    }
}
