package plight.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import plight.config.Durations;
import plight.control.Reply;
import plight.control.SourceLine;

/**
 * {@code wait drained}: until the established connections to each {@code --port} are at most {@code --max} and,
 * with {@code --lb}, every load balancer that reports its view (HAProxy send-state) shows no session open to this
 * server. The ports are read from the kernel, so {@code --port} alone needs no daemon.
 */
@Parameters(separators = "=", commandDescription = "Wait until the node is drained: wait drained [--port N ...] [--max M] [--timeout T] [--lb]")
final class WaitCommand extends Command {
    static final Duration POLL = Duration.ofMillis(200);
    /** Load balancers whose last check is older than this no longer count for --lb. */
    static final Duration LB_FRESH = Duration.ofMinutes(1);

    @Parameter(description = "drained")
    List<String> what = new ArrayList<>();

    @Parameter(names = "--port", description = "Local TCP port whose established connections must drain; repeatable")
    List<Integer> ports = new ArrayList<>();

    @Parameter(names = "--max", description = "Connections per port that count as drained (default 0)")
    int max;

    @Parameter(names = "--timeout", description = "Give up after this long (default 5m)")
    String timeout = "5m";

    @Parameter(names = "--lb", description = "Also wait until every load balancer reporting send-state shows scur=0 for this server")
    boolean lb;

    private final EstablishedConnections connections;

    WaitCommand() {
        this(new EstablishedConnections(EstablishedConnections.TABLES));
    }

    WaitCommand(EstablishedConnections connections) {
        this.connections = connections;
    }

    @Override
    ExitCode run(Invocation in) throws CliException {
        if (!what.equals(List.of("drained"))) {
            throw new CliException(ExitCode.USAGE, "wait takes one argument, 'drained' (plight wait drained [--port N ...] [--max M]"
                    + " [--timeout T] [--lb]), not '" + String.join(" ", what) + "'");
        }
        if (ports.isEmpty() && !lb) throw new CliException(ExitCode.USAGE, "wait drained needs --port N (repeatable) or --lb");
        for (int p : ports) {
            if (p < 1 || p > 65535) throw new CliException(ExitCode.USAGE, "--port must be 1-65535, not " + p);
        }
        if (max < 0) throw new CliException(ExitCode.USAGE, "--max must be 0 or more, not " + max);
        Duration limit;
        try {
            limit = Durations.parsePositive("--timeout", timeout);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        Node node = lb ? in.node(Invocation.Reach.DAEMON) : null;
        boolean terminal = System.console() != null && in.out() == System.out;
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        String shown = null;
        boolean warnedNoLb = false;
        while (true) {
            Map<String, Long> left = new LinkedHashMap<>();
            try {
                connections.count(ports).forEach((port, n) -> left.put("port " + port, (long) n));
            } catch (IOException e) {
                throw new CliException(ExitCode.FAILED, "cannot read the kernel's TCP tables: " + e.getMessage());
            }
            if (node != null) {
                Map<String, Long> lbs = lbSessions(node.ask("stats", DaemonNode.TIMEOUT));
                if (lbs.isEmpty() && !warnedNoLb) {
                    in.err().println("plight: warning: no load balancer reports its view of this node (HAProxy http-check send-state)"
                            + " within the last " + Durations.format(LB_FRESH) + "; --lb has nothing to wait for");
                    warnedNoLb = true;
                }
                left.putAll(lbs);
            }
            boolean drained = left.entrySet().stream().allMatch(e -> e.getValue() <= (e.getKey().startsWith("port ") ? max : 0));
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            String now = describe(left);
            if (terminal && !now.equals(shown)) {
                in.out().print("\r\033[K" + now);
                shown = now;
            }
            if (drained) {
                if (terminal) in.out().print("\r\033[K");
                in.out().println("drained in " + StateWait.seconds(elapsed) + (now.isEmpty() ? "" : ": " + now));
                return ExitCode.OK;
            }
            if (System.nanoTime() - deadline >= 0) {
                if (terminal) in.out().print("\r\033[K");
                throw new CliException(ExitCode.FAILED, "not drained after " + StateWait.seconds(elapsed) + ": " + now
                        + (max > 0 ? " (at most " + max + " per port asked)" : ""));
            }
            sleep(in.out());
        }
    }

    /** Sessions per load balancer that reported its view recently: {@code lb1 be/app} → its scur. */
    static Map<String, Long> lbSessions(Reply stats) {
        Map<String, Long> lbs = new LinkedHashMap<>();
        Instant fresh = Instant.now().minus(LB_FRESH);
        for (String s : stats.all("source")) {
            SourceLine line = SourceLine.parse(s);
            if (line.lb() == null || line.lb().sessions() < 0 || line.lastSeen() == null || line.lastSeen().isBefore(fresh)) continue;
            lbs.put("LB " + line.who(), line.lb().sessions());
        }
        return lbs;
    }

    private static String describe(Map<String, Long> left) {
        List<String> parts = new ArrayList<>();
        left.forEach((what, n) -> parts.add(what + ": " + n + (what.startsWith("port ") ? " established" : " sessions (scur)")));
        return String.join(", ", parts);
    }

    private static void sleep(PrintStream out) throws CliException {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println();
            throw new CliException(ExitCode.FAILED, "interrupted");
        }
    }
}
