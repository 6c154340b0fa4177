package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import plight.testkit.Await;
import plight.testkit.Processes;
import plight.testkit.RawHttp;

/**
 * Hostile clients against the shipped daemon ({@code bin/plight start}), short forms of RELIABILITY.md's
 * "Hostile clients"; the long forms are the scripts named there. No assertion here is about speed: the figures
 * (latency, CPU) are the scripts'.
 */
@Timeout(180)
class HostileClientsIT {
    /** {@code -Dplight.hostile.connections=N}: how many keep-alive connections to hold (10,000 by default). */
    private static final int CONNECTIONS = Integer.getInteger("plight.hostile.connections", 10_000);

    @TempDir
    Path dir;

    private PlightNode node;
    private final List<AutoCloseable> held = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : held) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing what a test held; the daemon may have closed it first
            }
        }
        if (node != null) node.cleanUp();
    }

    private PlightNode node(String webserverExtras) throws IOException {
        node = new PlightNode(dir);
        node.access = "OFF";
        node.writeConf(PlightNode.CONF.replace("[webserver]\n", "[webserver]\n" + webserverExtras));
        return node;
    }

    /** Soft limit of open files of {@code pid} (from /proc/PID/limits). */
    private static long openFilesLimit(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).map(l -> l.substring(26).strip().split("\\s+")[0])
                .mapToLong(Long::parseLong).findFirst().orElseThrow();
    }

    /** utime + stime of {@code pid} in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    void tenThousandKeepAliveConnectionsAreAllAnsweredAndStayOpen() throws Exception {
        // max_connections (10,000 by default) above what is held, for the new connection beside them.
        PlightNode.Daemon daemon = node("max_connections = " + (CONNECTIONS + 100) + "\n").start();
        // Each connection is a descriptor here and one in the daemon: both need the limit (the JVM raises its soft
        // limit to the hard one; bin/plight's daemon does the same).
        long room = Math.min(openFilesLimit(ProcessHandle.current().pid()), openFilesLimit(daemon.pid())) - 200;
        int n = (int) Math.min(CONNECTIONS, room);
        assertTrue(n >= 1000, "ulimit -n is too low for this test: " + room);
        List<RawHttp> connections = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RawHttp h = new RawHttp(node.port);
            held.add(h);
            connections.add(h);
            assertEquals(200, h.get().code(), "connection " + i);
        }
        // Every one still open and answered again, in the order they were opened.
        for (int i = 0; i < n; i++) {
            assertEquals(200, connections.get(i).get().code(), "second request on connection " + i);
        }
        assertEquals(200, RawHttp.once(node.port).code(), "a new connection beside them");
        assertTrue(daemon.process().isAlive(), daemon::output);
        String out = daemon.output();
        assertFalse(out.contains("\tat ") || out.contains("Exception"), out);
    }

    @Test
    void slowlorisClientsAreCutAtTheRequestTimeoutAndNeverReadersPausedWhileProbesAreAnswered() throws Exception {
        PlightNode.Daemon daemon = node("request_timeout = 1s\n").start();
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Socket s = RawHttp.connected(new Socket(), new InetSocketAddress("127.0.0.1", node.port));
            held.add(s);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: lb\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
        }
        List<SocketChannel> readers = new ArrayList<>();
        byte[] batch = RawHttp.GET.repeat(200).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 150; i++) {
            SocketChannel ch = SocketChannel.open();
            // As a client on another machine: left to autotuning, 150 local buffers of megabytes each (the answers
            // they never read pile up in their receive buffers) put the host's TCP under memory pressure, which
            // resets connections of every process, the probes' too.
            ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            ch.connect(new InetSocketAddress("127.0.0.1", node.port));
            held.add(ch);
            ch.configureBlocking(false);
            readers.add(ch);
        }
        // Trickle a header line to every slowloris and pipeline into every never-reader until its socket is full,
        // probing on new connections meanwhile, until the daemon has cut every slowloris.
        List<Socket> open = new ArrayList<>(slow);
        int probes = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!open.isEmpty()) {
            assertTrue(System.nanoTime() - deadline < 0, open.size() + " slowloris clients still open after 60 s");
            for (SocketChannel ch : readers) {
                try {
                    ch.write(ByteBuffer.wrap(batch));
                } catch (IOException closed) {
                    // counted at the end
                }
            }
            for (var it = open.iterator(); it.hasNext(); ) {
                Socket s = it.next();
                try {
                    s.getOutputStream().write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (s.getInputStream().available() > 0) {
                        it.remove();
                    }
                } catch (IOException closed) {
                    it.remove();
                }
            }
            assertEquals(200, RawHttp.once(node.port).code(), "probe " + probes);
            probes++;
        }
        for (Socket s : slow) {
            s.setSoTimeout(10_000);
            try {
                RawHttp.Response r = RawHttp.Response.read(s.getInputStream(), false);
                assertEquals(408, r.code(), "a slowloris is answered 408");
            } catch (IOException reset) {
                // closed after its 408 while we were still writing: the kernel's reset may come first
            }
        }
        int stillConnected = 0;
        for (SocketChannel ch : readers) {
            try {
                ch.write(ByteBuffer.wrap(batch));
                stillConnected++;
            } catch (IOException closed) {
                // the daemon may close a connection that only pipelines; it must not stop answering others
            }
        }
        assertTrue(stillConnected > 0, "the never-readers are paused by back-pressure, not dropped");
        assertEquals(200, RawHttp.once(node.port).code());
        String out = daemon.output();
        assertFalse(out.contains("\tat ") || out.contains("OutOfDirectMemoryError"), out);
    }

    /**
     * The gRPC side of the probe port: 200 HTTP/2 connections each holding 10 watches (every one told its status at
     * once and again on a change) and a client that floods Check calls and never reads its answers; HTTP/1 probes on
     * new connections are answered all along. {@code bench/scripts/hostile.sh grpc} is the long form.
     */
    @Test
    void grpcWatchersAndAClientThatNeverReadsLeaveHttp1ProbesAnswered() throws Exception {
        PlightNode.Daemon daemon = node("").start();
        List<Socket> watchers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket s = RawHttp.connected(new Socket(), new InetSocketAddress("127.0.0.1", node.port));
            held.add(s);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(GrpcFrames.watches(10));
            watchers.add(s);
        }
        for (int i = 0; i < watchers.size(); i++) {
            assertEquals(10, GrpcFrames.statuses(watchers.get(i), GrpcFrames.SERVING, 10), "initial statuses on watcher " + i);
        }
        SocketChannel neverReads = SocketChannel.open();
        neverReads.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
        neverReads.connect(new InetSocketAddress("127.0.0.1", node.port));
        held.add(neverReads);
        neverReads.configureBlocking(false);
        neverReads.write(ByteBuffer.wrap(GrpcFrames.PREFACE_AND_SETTINGS));
        int stream = 1;
        int probes = 0;
        // Check calls until the daemon stops taking them (its answers unread, it stops reading; or it cuts the
        // client off for the streams it had to refuse), probes on new connections meanwhile.
        boolean stopped = false;
        while (!stopped && stream < 200_000) {
            ByteBuffer batch = ByteBuffer.wrap(GrpcFrames.checks(stream, 100));
            stream += 200;
            try {
                for (int spins = 0; batch.hasRemaining() && spins < 50; spins++) {
                    if (neverReads.write(batch) == 0) {
                        Thread.onSpinWait();
                    }
                }
                stopped = batch.hasRemaining();
            } catch (IOException closedByTheDaemon) {
                stopped = true;
            }
            if (stream % 2_000 == 1) {
                assertEquals(200, RawHttp.once(node.port).code(), "probe " + probes++);
            }
        }
        assertTrue(stopped, "the daemon kept reading from a client that never reads");
        for (int i = 0; i < 20; i++) {
            assertEquals(200, RawHttp.once(node.port).code(), "probe beside a full never-reader " + i);
        }
        // Every watch hears of a change.
        node.plight("disable");
        for (int i = 0; i < watchers.size(); i++) {
            assertEquals(10, GrpcFrames.statuses(watchers.get(i), GrpcFrames.NOT_SERVING, 10), "watcher " + i + " told of disable");
        }
        assertTrue(daemon.process().isAlive(), daemon::output);
        String out = daemon.output();
        assertFalse(out.contains("\tat ") || out.contains("OutOfDirectMemoryError"), out);
    }

    /** gRPC health calls as HTTP/2 frames by hand (HPACK literals, no Huffman): packaging has no HTTP/2 client. */
    private static final class GrpcFrames {
        static final byte[] SERVING = {0, 0, 0, 0, 2, 8, 1};
        static final byte[] NOT_SERVING = {0, 0, 0, 0, 2, 8, 2};
        static final byte[] PREFACE_AND_SETTINGS = concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                frame(4, 0, 0, new byte[0]));
        private static final byte[] EMPTY_REQUEST = {0, 0, 0, 0, 0};

        /** The preface, then {@code n} Watch calls of the node (service ""), streams 1, 3, ... */
        static byte[] watches(int n) {
            byte[] out = PREFACE_AND_SETTINGS;
            for (int i = 0; i < n; i++) {
                out = concat(out, call("Watch", 1 + 2 * i));
            }
            return out;
        }

        /** {@code n} Check calls from stream {@code first} on. */
        static byte[] checks(int first, int n) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                out.writeBytes(call("Check", first + 2 * i));
            }
            return out.toByteArray();
        }

        private static byte[] call(String method, int stream) {
            byte[] headers = concat(new byte[] {(byte) 0x83, (byte) 0x86}, concat(literal(":path", "/grpc.health.v1.Health/" + method),
                    concat(literal(":authority", "lb"), concat(literal("content-type", "application/grpc"), literal("te", "trailers")))));
            return concat(frame(1, 4, stream, headers), frame(0, 1, stream, EMPTY_REQUEST));
        }

        /** Reads frames from {@code s} until {@code n} DATA frames carrying {@code message} have come; returns how many. */
        static int statuses(Socket s, byte[] message, int n) throws IOException {
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            int seen = 0;
            while (seen < n) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                in.readUnsignedByte();
                in.readInt();
                byte[] payload = in.readNBytes(length);
                if (type == 0 && java.util.Arrays.equals(payload, message)) {
                    seen++;
                } else if (type == 7) {
                    break; // GOAWAY
                }
            }
            return seen;
        }

        private static byte[] literal(String name, String value) {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            byte[] v = value.getBytes(StandardCharsets.US_ASCII);
            return concat(concat(new byte[] {0, (byte) n.length}, n), concat(new byte[] {(byte) v.length}, v));
        }

        private static byte[] frame(int type, int flags, int stream, byte[] payload) {
            return concat(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream},
                payload);
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }
    }

    @Test
    void withDescriptorsExhaustedTheDaemonBacksOffLogsOnceAndAnswersAgainWhenTheyFreeUp() throws Exception {
        node("");
        // ulimit -n sets both limits: the JVM cannot raise its soft limit past it.
        PlightNode.Daemon daemon = node.start(List.of("sh", "-c", "ulimit -n 128 && exec \"$0\" \"$@\""), Map.of());
        assertEquals(128, openFilesLimit(daemon.pid()));
        for (int i = 0; i < 150; i++) {
            Socket s = RawHttp.connected(new Socket(), new InetSocketAddress("127.0.0.1", node.port));
            held.add(s);
            s.getOutputStream().write(RawHttp.GET.getBytes(StandardCharsets.US_ASCII));
        }
        Await.until(() -> log(daemon).contains("cannot accept connections"), Duration.ofSeconds(30),
                "the daemon to report that it cannot accept\n" + daemon.output());
        // Exhausted for a few seconds: no busy loop (a spinning event loop would take a whole CPU).
        long ticks = cpuTicks(daemon.pid());
        long started = System.nanoTime();
        Thread.sleep(3000); // a stretch of time to measure CPU over, not a wait for a condition
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = (cpuTicks(daemon.pid()) - ticks) / 100.0 / seconds;
        assertTrue(cpu < 0.3, "the daemon used " + Math.round(cpu * 100) + " % of a CPU while it could not accept");

        for (AutoCloseable c : held) c.close();
        held.clear();
        Await.until(() -> {
            try {
                return RawHttp.once(node.port).code() == 200;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(30), "a probe answered once descriptors are free");
        String log = log(daemon);
        long lines = Files.readAllLines(node.appLog()).stream().filter(l -> l.contains("cannot accept connections")).count();
        assertEquals(1, lines, log);
        assertFalse(log.contains("\tat ") || log.contains("exceptionCaught") || log.contains("Exception"), log);
    }

    /** A python3 other users may run (not a shim under root's home). */
    private static String python3() {
        return "/usr/bin/python3";
    }

    /** The application log and the daemon's own output together. */
    private String log(PlightNode.Daemon daemon) {
        try {
            return (Files.exists(node.appLog()) ? Files.readString(node.appLog()) : "") + daemon.output();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * A local user holding many control connections (the socket is often open to all for {@code status}) gets
     * {@code ERR busy} beyond its share, and root still gets in. Needs root to run the other user with setpriv.
     */
    @Test
    void controlConnectionsBeyondAUsersShareAreRefusedWithAnErrorLineAndRootStillGetsIn() throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        Assumptions.assumeTrue(uid == 0, "needs root to connect as another user");
        Assumptions.assumeTrue(Processes.status("setpriv", "--version") == 0, "needs setpriv (util-linux)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(python3())), "needs python3 for the other user's client");
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Assumptions.assumeTrue(Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE),
                    "the test directory's parent " + p + " is closed to other users (no o+x)");
        }
        node = PlightNode.openToOthers(dir);
        node.mode = "0666";
        node.writeConf(PlightNode.CONF);
        for (String sub : List.of("run", "state", "log")) {
            Files.setPosixFilePermissions(Files.createDirectories(dir.resolve(sub)), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        PlightNode.Daemon daemon = node.start();
        // 20 connections held at once by uid 65534; then, still holding them, root's CLI; then each line read.
        String client = String.join("\n",
                "import socket, sys",
                "held = []",
                "for i in range(20):",
                "    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)",
                "for s in held:",
                "    print(s.makefile().readline().strip())",
                "sys.stdout.flush()",
                "sys.stdin.readline()");
        Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                python3(), "-c", client, node.socket().toString()).redirectErrorStream(true).start();
        held.add(nobody::destroyForcibly);
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(nobody.getInputStream(), StandardCharsets.UTF_8));
        List<String> greetings = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String line = lines.readLine();
            assertTrue(line != null, "the client ended early: " + greetings);
            greetings.add(line);
        }
        assertEquals(16, greetings.stream().filter("PLIGHT 1"::equals).count(), greetings.toString());
        List<String> refused = greetings.stream().filter(l -> !l.equals("PLIGHT 1")).toList();
        assertEquals(4, refused.size(), greetings.toString());
        for (String r : refused) {
            assertEquals("ERR busy too many control connections from uid 65534 (at most 16 at a time); try again later", r);
        }
        Processes.Result status = node.plight("status");
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.out().startsWith("State: enabled"), status::toString);
        nobody.getOutputStream().close();
        nobody.waitFor();
        String log = log(daemon);
        assertEquals(1, Files.readAllLines(node.appLog()).stream().filter(l -> l.contains("control socket: refused")).count(), log);
        // Their places are free again once they close.
        Processes.Result again = node.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                Map.of("HOME", "/"), "status");
        assertEquals(0, again.exit(), again::toString);
    }
}
