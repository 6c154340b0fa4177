package plight.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The hand-written protobuf reader of {@code grpc.health.v1} requests ({@link HealthMessages#service}), fuzzed
 * (RELIABILITY.md, "Fuzzing"). {@code mvn verify} replays
 * {@code src/test/resources/plight/grpc/HealthMessagesFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class HealthMessagesFuzzTest {

    /**
     * Any bytes, read as a request message between any bounds of a larger buffer: a service or {@code null} (not a
     * message), never an exception; nothing outside the bounds is read; a service name written with unknown
     * fields of every wire type around it reads back the same.
     */
    @FuzzTest(maxDuration = "3m")
    void anyBytesAreAServiceOrRefusedAndNothingOutsideIsRead(FuzzedDataProvider data) {
        String name = data.consumeString(40);
        int before = data.consumeInt(0, 16);
        int after = data.consumeInt(0, 16);
        byte[] message = data.consumeRemainingAsBytes();

        // The same bytes between garbage, and alone: the bounds are all the reader may look at.
        ByteBuf framed = Unpooled.buffer();
        for (int i = 0; i < before; i++) {
            framed.writeByte(0x80 | i);
        }
        framed.writeBytes(message);
        for (int i = 0; i < after; i++) {
            framed.writeByte(0x80 | i);
        }
        String between = HealthMessages.service(framed, before, before + message.length);
        String alone = HealthMessages.service(Unpooled.wrappedBuffer(message), 0, message.length);
        assertEquals(alone, between);

        byte[] service = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(new byte[] {0x10, (byte) 0x96, 0x01}); // field 2, varint 150
        request.writeBytes(new byte[] {0x19, 1, 2, 3, 4, 5, 6, 7, 8}); // field 3, fixed64
        request.write(0x0a); // field 1, length-delimited: the service
        writeVarint(request, service.length);
        request.writeBytes(service);
        request.writeBytes(new byte[] {0x25, 1, 2, 3, 4}); // field 4, fixed32
        request.writeBytes(new byte[] {0x2a, 1, 0}); // field 5, length-delimited
        byte[] bytes = request.toByteArray();
        assertEquals(new String(service, StandardCharsets.UTF_8),
                HealthMessages.service(Unpooled.wrappedBuffer(bytes), 0, bytes.length));
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7f) != 0) {
            out.write(value & 0x7f | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
