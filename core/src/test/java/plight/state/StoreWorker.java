package plight.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A second process for {@link ConcurrencyTest}: {@code StoreWorker DIR NAME COUNT LOG} prints {@code ready},
 * waits for a line on stdin, then makes COUNT changes to the classic states over DIR, cycling through them.
 * Inside each change, still under the store's lock (at its last step), it checks that the files show exactly its
 * own change and appends one line to LOG; after each change it reads the state back and checks that the marker
 * is whole. Exits 0 when every check held; otherwise prints what went wrong on stderr and exits 1.
 *
 * <p>{@code StoreWorker DIR NAME once} prints {@code ready}, makes one change to 'disabled' and prints {@code done}.
 */
public final class StoreWorker {
    private StoreWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String name = args[1];
        StateTable table = Tables.classic(dir);
        if (args[2].equals("once")) {
            System.out.println("ready");
            System.out.flush();
            new StateStore(table).change(table.byName("disabled").orElseThrow(), new Marker(Instant.now(), name, "once", null));
            System.out.println("done");
            System.out.flush();
            return;
        }
        int count = Integer.parseInt(args[2]);
        Path log = Path.of(args[3]);
        List<String> problems = new ArrayList<>();
        State[] current = new State[1];
        String[] reason = new String[1];

        try (FileChannel logChannel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            StateStore store = new StateStore(table, step -> {
                if (!step.equals("sync removals")) return;
                // Under the lock: the directory must show this change and nothing else.
                State target = current[0];
                List<String> expected = target.isDefault() ? List.of() : List.of(target.file().getFileName().toString());
                List<String> markers = Tables.existingMarkers(table);
                NodeState seen;
                try {
                    seen = new StateStore(table).read();
                } catch (StoreException e) {
                    throw new IOException(e.getMessage(), e);
                }
                boolean ok = markers.equals(expected) && seen.state().equals(target)
                        && (target.isDefault() || reason[0].equals(seen.marker().reason()));
                if (!ok) {
                    problems.add("inside the lock, change to " + target.name() + " '" + reason[0] + "' saw markers " + markers
                            + " and state " + seen.state().name() + " '" + seen.marker().reason() + "'");
                }
                String line = name + " " + reason[0] + " " + target.name() + (ok ? " ok" : " BAD") + "\n";
                ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    logChannel.write(bytes);
                }
            });

            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();

            List<State> states = table.states();
            int offset = name.length() + name.charAt(0); // different workers start at different states
            for (int i = 0; i < count; i++) {
                current[0] = states.get((i + offset) % states.size());
                reason[0] = name + "-" + i;
                try {
                    store.change(current[0], new Marker(Instant.now(), name, reason[0], null));
                } catch (StoreException e) {
                    problems.add("change " + reason[0] + " failed: " + e.getMessage());
                }
                NodeState back = store.read();
                if (!back.state().isDefault()) {
                    Marker m = back.marker();
                    if (m.equals(Marker.EMPTY) && !Files.exists(back.state().file())) {
                        continue; // the other worker removed it between the existence check and the read
                    }
                    if (m.since() == null || m.by() == null || m.reason() == null || !m.reason().startsWith(m.by() + "-")) {
                        problems.add("read a torn or foreign marker after " + reason[0] + ": "
                                + m);
                    }
                }
            }
        } catch (IOException e) {
            problems.add(e.toString());
        }
        problems.forEach(System.err::println);
        System.exit(problems.isEmpty() ? 0 : 1);
    }
}
