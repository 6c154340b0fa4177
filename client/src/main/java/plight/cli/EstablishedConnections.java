package plight.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Established TCP connections to local ports, from the kernel's tables ({@code /proc/net/tcp} and {@code tcp6}):
 * per line {@code sl local_address rem_address st ...}, addresses as {@code HEXADDR:HEXPORT}, state {@code 01}
 * ESTABLISHED. Both ends of a loopback connection are listed; only the one whose local port is asked counts.
 */
final class EstablishedConnections {
    static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String ESTABLISHED = "01";

    private final List<Path> tables;

    EstablishedConnections(List<Path> tables) {
        this.tables = List.copyOf(tables);
    }

    /** Per port, the established connections whose local end is that port; a table that does not exist counts none. */
    Map<Integer, Integer> count(Collection<Integer> ports) throws IOException {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int p : ports) counts.put(p, 0);
        for (Path table : tables) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table, StandardCharsets.ISO_8859_1);
            } catch (NoSuchFileException e) {
                continue; // no IPv6 on this machine
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 4 || !f[3].equals(ESTABLISHED)) continue;
                int colon = f[1].lastIndexOf(':');
                if (colon < 0) continue;
                int port;
                try {
                    port = Integer.parseInt(f[1].substring(colon + 1), 16);
                } catch (NumberFormatException e) {
                    continue;
                }
                counts.computeIfPresent(port, (k, n) -> n + 1);
            }
        }
        return counts;
    }
}
