package plight.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for configuration files, where 0 cannot stand for "any". */
public final class Ports {
    private Ports() {
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
