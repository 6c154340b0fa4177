package plight.probe;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import plight.config.GrpcSettings;
import plight.probe.h2.H2Server;
import plight.probe.h2.H2TestServer;

/**
 * Not a test: what one new HTTP/2 connection costs the event loop, from its first bytes to its answers, on an
 * in-memory channel (no syscalls): CPU time, bytes allocated, and flushes (each a write syscall on a socket), for a
 * connection with one gRPC Check (the kubelet's) and one with 10 Watch calls (hostile.sh grpc's watchers).
 * Prints the first {@code cold} connections apart (the code not yet compiled: the daemon runs C2 only).
 *
 * <pre>java -cp server/target/test-classes:server/target/classes:core/target/classes:DEPS -XX:-TieredCompilation \
 *     plight.probe.H2SetupCost [connections]</pre>
 */
public final class H2SetupCost {
    private static final class Flushes extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        byte[] check = request("Check", 1);
        byte[] watches = request("Watch", 10);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String round : List.of("cold", "warm", "warm")) {
            for (var kind : List.of(new Object[] {"Check", check}, new Object[] {"10 Watch", watches})) {
                int count = round.equals("cold") ? 200 : n;
                LiveResponses live = new LiveResponses(H2TestServer.ENABLED);
                H2Server h2 = new H2Server(live, ProbeListener.NONE, new GrpcSettings(List.of(), false),
                        Duration.ofSeconds(5), Duration.ofSeconds(60), new H2Server.Limits(1000, 1_000_000, 1_000_000));
                long flushes = 0;
                long bytes = threads.getCurrentThreadAllocatedBytes();
                long cpu = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < count; i++) {
                    EmbeddedProbe p = new EmbeddedProbe(live, ProbeListener.NONE, h2);
                    Flushes f = new Flushes();
                    p.channel.pipeline().addFirst(f);
                    p.write((byte[]) kind[1]);
                    p.output();
                    flushes += f.count;
                    // Closed as a client would end it: our GOAWAY, then the client's close (time moved on past
                    // the graceful close's wait for the watches' streams).
                    p.channel.close();
                    p.endOfInput().advance(Duration.ofSeconds(10));
                    p.close();
                }
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                bytes = threads.getCurrentThreadAllocatedBytes() - bytes;
                System.out.printf("%s %-8s: %6.1f us CPU, %6.1f KiB allocated, %.1f flushes per connection (%d)%n",
                        round, kind[0], cpu / 1000.0 / count, bytes / 1024.0 / count, (double) flushes / count, count);
            }
        }
    }

    /** The preface, an empty SETTINGS and {@code calls} gRPC calls of {@code method}, as hostile.py sends them. */
    private static byte[] request(String method, int calls) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Http2Switch.PREFACE);
        out.writeBytes(frame(4, 0, 0, new byte[0]));
        for (int i = 0; i < calls; i++) {
            ByteArrayOutputStream h = new ByteArrayOutputStream();
            h.writeBytes(new byte[] {(byte) 0x83, (byte) 0x86});
            literal(h, ":path", "/grpc.health.v1.Health/" + method);
            literal(h, ":authority", "lb");
            literal(h, "content-type", "application/grpc");
            literal(h, "te", "trailers");
            out.writeBytes(frame(1, 4, 1 + 2 * i, h.toByteArray()));
            out.writeBytes(frame(0, 1, 1 + 2 * i, new byte[5]));
        }
        return out.toByteArray();
    }

    private static void literal(ByteArrayOutputStream out, String name, String value) {
        out.write(0);
        out.write(name.length());
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        out.write(value.length());
        out.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }
}
