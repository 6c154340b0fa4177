package plight.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import plight.testkit.Await;
import plight.testkit.Ports;
import plight.testkit.Tools;

/**
 * A throwaway nginx answering {@code return 200 "OK\n"} over cleartext HTTP/2 by prior knowledge
 * ({@code listen ... http2;}, nginx 1.22's form) on 127.0.0.1, in a directory of the test's, as the benchmark
 * script runs it.
 */
final class NginxH2c implements AutoCloseable {
    private final Process process;
    final int port;

    /** @param keepaliveRequests nginx's {@code keepalive_requests}: after that many streams it sends GOAWAY */
    NginxH2c(Path dir, int keepaliveRequests) throws IOException {
        Path nginx = Tools.require("nginx", "nginx");
        port = Ports.free();
        Files.createDirectories(dir.resolve("logs"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  keepalive_requests %2$d;
                  server {
                    listen 127.0.0.1:%3$d http2;
                    location / { return 200 "OK\\n"; }
                  }
                }
                """.formatted(dir, keepaliveRequests, port));
        process = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        Await.until(() -> !process.isAlive() || accepts(port), Duration.ofSeconds(10), "nginx listening on " + port);
        if (!process.isAlive()) {
            throw new IOException("nginx exited: " + Files.readString(dir.resolve("out.txt"))
                    + Files.readString(dir.resolve("logs/error.log")));
        }
    }

    String url() {
        return "http://127.0.0.1:" + port + "/health";
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
