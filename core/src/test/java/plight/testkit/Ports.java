package plight.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Ports for configuration files, where 0 cannot stand for "any". */
public final class Ports {
    /**
     * Every port handed out in this JVM. Linux may give the same ephemeral port to two binds in a row once the first
     * is closed, so two ports picked before either is used (a probe and an agent port) could be one: never twice.
     */
    private static final Set<Integer> GIVEN = new HashSet<>();

    private Ports() {
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago, and that this JVM has not handed out before. */
    public static synchronized int free() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }
}
