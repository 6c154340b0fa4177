package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import plight.control.ControlClient;
import plight.control.Reply;
import plight.testkit.Confs;
import plight.testkit.RawHttp;

/**
 * Crash storms (RELIABILITY.md, "Crash storms"): a real daemon ({@code bin/plight start}) is killed with SIGKILL at a
 * random moment while it makes state changes, lets TTLs expire and reloads its configuration, then started again.
 * After every restart the state served must be the last one acknowledged or the one in flight when the kill came
 * (or the default when a TTL among them has run out), never an older one and never the default by accident; the
 * message served is the configuration file's.
 *
 * <p>{@code -Dplight.storm.rounds=N} (default 24) and {@code -Dplight.storm.seed=S} (default: random, printed) set
 * the run; RELIABILITY.md has the long one.
 */
class CrashStormIT extends OneNode {
    private static final List<String> STATES = List.of("enabled", "disabled", "offline");
    private static final String DEFAULT = "enabled";
    private static final Duration CALL = Duration.ofSeconds(10);

    /** A state the daemon acknowledged, or was asked for when it was killed. */
    private record Change(String state, Duration ttl, Instant sent) {
        /** When its TTL runs out at the earliest: the daemon counts from a moment after it was sent. */
        Instant earliestExpiry() {
            return ttl == null ? null : sent.plus(ttl);
        }
    }

    @Test
    void afterEveryKillTheStateServedIsTheLastAcknowledgedOrTheOneInFlight() throws Exception {
        int rounds = Integer.getInteger("plight.storm.rounds", 24);
        long seed = Long.getLong("plight.storm.seed", new Random().nextLong());
        Random random = new Random(seed);
        node = new PlightNode(dir);
        int generation = 0;
        writeConf(generation);
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        long restartNanos = 0;
        long worstRestartNanos = 0;
        Change acknowledged = new Change(DEFAULT, null, Instant.now());
        Instant ackedExpiry = null;

        PlightNode.Daemon daemon = node.start();
        for (int round = 0; round < rounds; round++) {
            String context = "seed " + seed + ", round " + round;
            int kind = random.nextInt(3); // 0 changes, 1 a TTL running out, 2 reloads
            List<Change> acked = new ArrayList<>();
            Change inFlight = null;
            long killAfterMillis = kind == 1 ? 50 + random.nextInt(700) : random.nextInt(120);
            Killer killer = new Killer(daemon, killAfterMillis);
            if (kind == 2) {
                writeConf(++generation);
            }
            try (ControlClient client = ControlClient.connect(node.socket(), CALL).orElseThrow()) {
                killer.start();
                for (int i = 0; i < 50 && killer.isAlive(); i++) {
                    if (kind == 2 && random.nextBoolean()) {
                        Reply r = client.call("reload", CALL);
                        assertTrue(r.isOk(), () -> context + ": reload refused: " + r.render());
                        continue;
                    }
                    String state = STATES.get(random.nextInt(STATES.size()));
                    Duration ttl = kind == 1 && !state.equals(DEFAULT) ? Duration.ofMillis(20 + random.nextInt(400)) : null;
                    inFlight = new Change(state, ttl, Instant.now());
                    Reply r = client.call("set " + state + (ttl == null ? "" : " ttl=" + ttl.toMillis() + "ms")
                            + " reason=storm round " + round, CALL);
                    assertTrue(r.isOk(), () -> context + ": set refused: " + r.render());
                    acked.add(inFlight);
                    inFlight = null;
                }
            } catch (IOException killed) {
                // The kill came while a request was on its way or before an answer: the request is in flight.
            }
            killer.join();
            daemon.exit(Duration.ofSeconds(10));
            if (!acked.isEmpty()) {
                acknowledged = acked.get(acked.size() - 1);
                ackedExpiry = acknowledged.earliestExpiry();
            }

            long t0 = System.nanoTime();
            daemon = node.start();
            long took = System.nanoTime() - t0;
            restartNanos += took;
            worstRestartNanos = Math.max(worstRestartNanos, took);

            Instant now = Instant.now();
            RawHttp.Response served = node.probe();
            String state = served.header("X-Plight-State");
            Set<String> allowed = new TreeSet<>();
            allowed.add(acknowledged.state());
            if (inFlight != null) allowed.add(inFlight.state());
            boolean expired = ackedExpiry != null && !now.isBefore(ackedExpiry)
                    || inFlight != null && inFlight.ttl() != null && !now.isBefore(inFlight.earliestExpiry());
            if (expired) allowed.add(DEFAULT);
            assertTrue(allowed.contains(state), context + ": served " + state + " after the kill; allowed " + allowed
                    + " (acknowledged " + acknowledged + ", in flight " + inFlight + ")\n" + daemon.output());
            assertEquals(message(state, generation), served.reason(), context + ": the message of the file on disk");

            String outcome = (kind == 0 ? "change" : kind == 1 ? "ttl" : "reload") + ": "
                    + (state.equals(acknowledged.state()) ? "acknowledged" : inFlight != null && state.equals(inFlight.state()) ? "in flight" : "expired to default");
            outcomes.merge(outcome, 1, Integer::sum);

            // What is served now is durable: it is the baseline of the next round, with the expiry it carries.
            Reply status;
            try (ControlClient client = ControlClient.connect(node.socket(), CALL).orElseThrow()) {
                status = client.call("status", CALL);
            }
            acknowledged = new Change(status.get("state"), null, now);
            ackedExpiry = status.get("expires") == null ? null : Instant.parse(status.get("expires"));
        }
        String summary = "crash storm: " + rounds + " rounds, seed " + seed + ", restart mean "
                + TimeUnit.NANOSECONDS.toMillis(restartNanos / Math.max(1, rounds)) + " ms, max "
                + TimeUnit.NANOSECONDS.toMillis(worstRestartNanos) + " ms, outcomes " + outcomes;
        System.out.println(summary);
        Path report = Path.of(System.getProperty("plight.bin")).getParent().getParent().getParent().resolve("crash-storm.txt");
        Files.writeString(report, summary + "\n");
    }

    private static String message(String state, int generation) {
        return switch (state) {
            case "enabled" -> "OK";
            case "disabled" -> "node is unavailable";
            default -> "node is offline";
        } + (generation == 0 ? "" : " g" + generation);
    }

    /** The node's config with messages of generation {@code g}, replaced in one rename (a kill never sees half of it). */
    private void writeConf(int g) throws IOException {
        String text = Confs.fill(Confs.NODE, Map.of("DIR", dir.toString(), "PORT", Integer.toString(node.port),
                "AGENT", Integer.toString(node.agentPort), "ACCESS", "OFF", "MODE", "0660"));
        for (String state : STATES) {
            text = text.replace("message = " + message(state, 0) + "\n", "message = " + message(state, g) + "\n");
        }
        Path tmp = dir.resolve("plight.conf.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, node.conf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Sends SIGKILL to the daemon after a delay. */
    private static final class Killer extends Thread {
        private final PlightNode.Daemon daemon;
        private final long afterMillis;

        Killer(PlightNode.Daemon daemon, long afterMillis) {
            this.daemon = daemon;
            this.afterMillis = afterMillis;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Thread.sleep(afterMillis); // the random moment of the crash is the point: there is no condition to await
                daemon.process().destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
