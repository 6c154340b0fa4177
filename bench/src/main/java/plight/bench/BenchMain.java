package plight.bench;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import plight.config.Durations;

/**
 * {@code plight-bench}: an HTTP load generator for plight's probe port (and, for comparison, any HTTP server).
 *
 * <p>Exit status: 0 done (errors, if any, are in the report); 1 the target cannot be reached, the run failed,
 * the JSON file cannot be written, or — flip — a stale answer was seen, no state change was acknowledged, or
 * the state could not be restored; 2 bad usage.
 *
 * <p>JSON ({@code --json FILE}), single run: one object with {@code scenario, requests, errors, rps, p50_us,
 * p90_us, p99_us, p999_us, max_us, stale} ({@code stale} is null except for flip), followed by details
 * ({@code url, connections, threads, transport, duration_s, warmup_s, error_kinds, status}, and for flip
 * {@code stale_checked, flips, flip_errors}). With {@code --compare}: see {@link Comparison}.
 */
public final class BenchMain {
    static final String PROGRAM = "plight-bench";

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, null));
    }

    /**
     * Runs plight-bench as the command line would.
     *
     * @param flipper for tests: the flip scenario uses this instead of running {@code --flip-command}s
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err, StateFlipper flipper) {
        BenchOptions options = new BenchOptions();
        try {
            JCommander.newBuilder().addObject(options).programName(PROGRAM).build().parse(args);
        } catch (ParameterException e) {
            err.println(PROGRAM + ": " + e.getMessage() + " (valid options: see " + PROGRAM + " --help)");
            return 2;
        }
        if (options.help) {
            out.print(help());
            out.flush();
            return 0;
        }
        Settings s;
        try {
            s = options.validate();
        } catch (UsageException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            return 2;
        }
        try {
            return execute(s, out, err, flipper);
        } catch (IOException | IllegalStateException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(PROGRAM + ": interrupted");
            return 1;
        }
    }

    private static int execute(Settings given, PrintStream out, PrintStream err, StateFlipper override)
            throws IOException, InterruptedException {
        Settings s = withDaemonPid(given, err);
        Preflight.Answer first = null;
        if (s.scenario().http2()) {
            err.println(PROGRAM + ": " + s.url() + " answers " + H2Preflight.check(s.url(), H2Call.of(s, s.url()),
                    s.timeoutNanos()));
            if (s.compare() != null) {
                err.println(PROGRAM + ": " + s.compare() + " answers " + H2Preflight.check(s.compare(),
                        H2Call.of(s, s.compare()), s.timeoutNanos()));
            }
        } else {
            first = Preflight.check(s.url(), s.timeoutNanos());
            err.println(PROGRAM + ": " + s.url() + " answers " + first);
            if (s.compare() != null) {
                err.println(PROGRAM + ": " + s.compare() + " answers " + Preflight.check(s.compare(), s.timeoutNanos()));
            }
        }
        StateFlipper flipper = null;
        Thread restoreOnExit = null;
        if (s.scenario() == Scenario.FLIP) {
            if (override != null) {
                flipper = override;
            } else if (s.flipSteps().isEmpty()) {
                SocketFlipper sf = SocketFlipper.open(s.config());
                if (first.state() != null && !first.state().equals(sf.home())) {
                    sf.close();
                    throw new IOException("the node is in state '" + first.state() + "' but the flip cycle ends in '"
                            + sf.home() + "'; not touching it (bring it to '" + sf.home() + "' first)");
                }
                flipper = sf;
                err.println(PROGRAM + ": flipping through " + sf.describe() + ", every " + Durations.format(Duration.ofNanos(s.flipIntervalNanos())));
                restoreOnExit = new Thread(() -> restore(sf, err), "plight-bench-restore");
                Runtime.getRuntime().addShutdownHook(restoreOnExit);
            } else {
                CommandFlipper cf = new CommandFlipper(s.flipSteps());
                String finalState = cf.steps().get(cf.steps().size() - 1).state();
                if (first.state() != null && !first.state().equals(finalState)) {
                    // the cycle would leave the node in another state than the operator left it in
                    throw new IOException("the node is in state '" + first.state() + "' but the flip cycle ends in '"
                            + finalState + "'; not touching it (bring it to '" + finalState
                            + "' first, or give --flip-command steps that end in '" + first.state() + "')");
                }
                flipper = cf;
                err.println(PROGRAM + ": flipping with " + String.join(", then ",
                        cf.steps().stream().map(st -> "'" + st.display() + "' (" + st.state() + ")").toList())
                        + ", every " + Durations.format(Duration.ofNanos(s.flipIntervalNanos())));
                restoreOnExit = new Thread(() -> restore(cf, err), "plight-bench-restore");
                Runtime.getRuntime().addShutdownHook(restoreOnExit);
            }
        }
        int status = 0;
        try {
            if (s.compare() == null) {
                err.println(PROGRAM + ": running " + s.scenario().id() + " for " + Durations.format(Duration.ofNanos(s.warmupNanos()))
                        + " warmup + " + Durations.format(Duration.ofNanos(s.durationNanos())) + " ...");
                Result r = LoadRunner.run(s, s.url(), flipper, err);
                Report.printResult(out, s, r);
                if (s.json() != null) {
                    writeJson(s, r.toJson().toString());
                }
                if (s.plot() != null) {
                    writePlots(s, List.of(new Plots.Series(s.url().url, r.histogram())), r.timeline(), err);
                }
                status = flipVerdict(r, err);
            } else {
                List<Result> runsA = new ArrayList<>();
                List<Result> runsB = new ArrayList<>();
                out.println(Report.header(s, s.url(), Transport.select(s.transport()).name()).replace(
                        "  " + s.url() + "  ", "  A/B  ") + ", " + s.rounds() + " rounds A B A B ...");
                out.println("A " + s.url());
                out.println("B " + s.compare());
                out.println();
                Report.printRoundsHeader(out);
                for (int round = 1; round <= s.rounds(); round++) {
                    Result a = LoadRunner.run(s, s.url(), flipper, err);
                    runsA.add(a);
                    Report.printRound(out, round, "A", a);
                    Result b = LoadRunner.run(s.forB(), s.compare(), flipper, err);
                    runsB.add(b);
                    Report.printRound(out, round, "B", b);
                }
                Report.printComparison(out, runsA, runsB);
                if (s.json() != null) {
                    writeJson(s, Comparison.toJson(s.rounds(), runsA, runsB));
                }
                if (s.plot() != null) {
                    writePlots(s, List.of(
                            new Plots.Series("A " + s.url(), Comparison.summarize(runsA).histogram()),
                            new Plots.Series("B " + s.compare(), Comparison.summarize(runsB).histogram())),
                            null, err);
                }
            }
        } finally {
            out.flush();
            if (restoreOnExit != null) {
                Runtime.getRuntime().removeShutdownHook(restoreOnExit);
                if (!restore(flipper, err)) {
                    status = 1;
                }
            }
        }
        return status;
    }

    /** Flip: exit status 1 when an answer was stale or the check could not be made. */
    private static int flipVerdict(Result r, PrintStream err) {
        if (r.stale() == null) {
            return 0;
        }
        if (r.flips() == null || r.flips() == 0) {
            err.println(PROGRAM + ": no state change was acknowledged; nothing was checked");
            return 1;
        }
        if (r.stale() > 0) {
            err.println(PROGRAM + ": " + r.stale() + " stale answers: the daemon served a state older than one"
                    + " it had acknowledged");
            return 1;
        }
        return 0;
    }

    private static boolean restore(StateFlipper flipper, PrintStream err) {
        try {
            flipper.close();
            return true;
        } catch (Exception e) {
            err.println(PROGRAM + ": could not restore the state after flipping: " + e.getMessage());
            return false;
        }
    }

    /**
     * {@code --pid}, or with {@code -c} the pid of the daemon running with that configuration (from its
     * pidfile), for {@code cpu_us_per_request}; {@code -c} without a running daemon just measures no CPU.
     */
    private static Settings withDaemonPid(Settings s, PrintStream err) throws IOException {
        if (s.pid() != null || s.config() == null) {
            return s;
        }
        plight.config.Config c;
        try {
            c = new plight.config.ConfigLoader(plight.config.Environment.current()).load(s.config());
        } catch (plight.config.ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        plight.control.PidFile.Probe probe = plight.control.PidFile.probe(c.pidFile());
        if (probe instanceof plight.control.PidFile.Probe.Held held && held.pid() > 0) {
            return s.withPid(held.pid());
        }
        String why = probe instanceof plight.control.PidFile.Probe.Unknown unknown
                ? "cannot tell whether a daemon holds " + c.pidFile() + " (" + unknown.reason() + ")"
                : "no running daemon holds " + c.pidFile();
        err.println(PROGRAM + ": " + why + "; not measuring its CPU");
        return s;
    }

    /** The percentile chart to {@code --plot}, and a timeline beside it ({@code NAME-timeline.svg}) when there is one. */
    private static void writePlots(Settings s, List<Plots.Series> series, Timeline timeline, PrintStream err)
            throws IOException {
        String what = s.scenario().id() + ", " + Report.header(s, s.url(), "").replaceAll("^\\S+\\s+\\S+\\s+", "")
                .replace(" ()", "");
        write(s.plot(), Plots.percentiles("latency by percentile: " + what, series));
        err.println(PROGRAM + ": wrote " + s.plot());
        if (timeline != null) {
            java.nio.file.Path tl = timelinePath(s.plot());
            write(tl, Plots.timeline("per second: " + what, timeline));
            err.println(PROGRAM + ": wrote " + tl);
        }
    }

    static java.nio.file.Path timelinePath(java.nio.file.Path plot) {
        String name = plot.getFileName().toString();
        return plot.resolveSibling(name.substring(0, name.length() - ".svg".length()) + "-timeline.svg");
    }

    private static void write(java.nio.file.Path file, String text) throws IOException {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot write --plot " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeJson(Settings s, String json) throws IOException {
        try {
            Files.writeString(s.json(), json + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot write --json " + s.json() + ": " + e.getMessage(), e);
        }
    }

    private static String wrap(String text, int width, String indent) {
        StringBuilder sb = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + 1 + word.length() > width) {
                sb.append('\n').append(indent);
                col = 0;
            } else if (col > 0) {
                sb.append(' ');
                col++;
            }
            sb.append(word);
            col += word.length();
        }
        return sb.toString();
    }

    static String help() {
        String scenarios = String.join("\n", java.util.Arrays.stream(Scenario.values())
                .map(sc -> String.format("  %-10s %s", sc.id(), wrap(sc.description, 86, " ".repeat(13))))
                .toList());
        return """
                Usage: plight-bench <scenario> --url URL [options]

                Load generator for plight's probe port (works against any HTTP server). keepalive, close,
                pipeline and flip (HTTP/1.1) run on a lean driver of its own; fleet and the check before the run
                on AsyncHttpClient, a real client; h2 and grpc on a lean cleartext HTTP/2 client (prior
                knowledge) on Netty's HTTP/2 codec.

                Scenarios:
                %s

                Options:
                  --url URL              target, http://HOST[:PORT][/PATH] (required)
                  --connections N        connections / concurrent probers / load balancers (default %d)
                  --duration D           measured time (default %s)
                  --warmup D             load before measuring, not recorded (default %s)
                  --pipeline N           pipeline: requests in flight per connection (default %d)
                  --rate R               fleet: checks per second per load balancer, may be fractional (default %s)
                  --threads N            event-loop threads (default: one per core, here %d; when the server
                                         runs on the same small machine, fewer may load it harder)
                  --transport T          auto, epoll or nio (default auto: epoll when available)
                  --timeout D            a connect or request not answered within D is an error (default %s)
                  -c, --config FILE      plight.conf of the daemon to flip: its control socket is used
                  --flip-command S=CMD   flip: instead of the control socket, a shell command CMD after which the
                                         daemon serves state S; repeat to cycle through several. Either way the
                                         cycle is completed at the end, so the node ends where it started, and a
                                         node not in the cycle's final state is not touched
                  --flip-interval D      flip: pause between state changes (default %s)
                  --json FILE            also write the figures as one JSON object to FILE
                  --compare URL2         run against URL (A) and URL2 (B) in turns A B A B ..., print the medians
                                         and A/B ratios; JSON then has "a", "b" and "ratio" objects
                  --rounds N             --compare: rounds, at least 2 (default %d)
                  --reuse                fleet: every load balancer keeps its connection (as Envoy); default:
                                         a new connection per check (as HAProxy, F5, Kubernetes)
                  --reuse-share P        fleet: P %% of the load balancers keep their connection, the rest do not
                  --jitter P             fleet: each check's interval varies by up to P %% either way (default 0)
                  --pid PID              the target server's process: adds its CPU time per request
                                         (cpu_us_per_request, from /proc/PID/stat over the measured window);
                                         with -c and no --pid, the running daemon's pid from its pidfile
                  --compare-pid PID      --compare: target B's process, as --pid is A's
                  --streams N            h2, grpc: streams in flight per connection (default %d; at most what the
                                         server's SETTINGS_MAX_CONCURRENT_STREAMS allows, as h2load does)
                  --new-connection       h2, grpc: a new connection (preface, SETTINGS) per request, N concurrent,
                                         as Kubernetes' gRPC probe checks
                  --service NAME         grpc: the service asked about (default "", the server as a whole)
                  --plot FILE.svg        latency percentile chart (one curve per target); flip and fleet also
                                         write FILE-timeline.svg (requests/s and p99 per second, state changes)
                  -h, --help             this help

                Durations: %s.
                Latency is measured from the moment the request is written (keepalive, pipeline, flip, h2,
                grpc), the connect starts (close, --new-connection) or the check was scheduled (fleet). Status
                codes are answers, not errors (plight answers 404 and 503 by design); for grpc the answer is
                the grpc-status (0, or e.g. 5 NOT_FOUND, 14 UNAVAILABLE) and, for 0, the HealthCheckResponse
                status (SERVING, NOT_SERVING, ...). Errors are requests without an answer: connect failures,
                resets (h2: also RST_STREAM), early closes, timeouts, unparsable answers (grpc: :status not
                200, no grpc-status, a message that is not one HealthCheckResponse). Streams a server refuses
                with GOAWAY, and requests nginx's Connection: close leaves unanswered, are not counted. The flip scenario counts answers
                showing a state older than the last change acknowledged before the request was sent (stale,
                must be 0; exit status 1 otherwise).

                JSON (--json): one object with scenario, requests, errors, rps, p50_us, p90_us, p99_us, p999_us,
                max_us, stale (null except for flip), cpu_us_per_request (with --pid or -c), then details: url, connections, threads, transport,
                duration_s, warmup_s, error_kinds, status (answers per status code; grpc: per grpc-status),
                grpc adds serving (grpc-status 0 answers per HealthCheckResponse status); flip adds stale_checked,
                flips, flip_errors. With --compare: {"scenario", "rounds", "a", "b", "ratio"}: "a" and "b" are
                such objects holding the medians over the rounds (errors, stale, error_kinds and status are
                sums) plus "runs" (each round's figures); "ratio" holds A/B for requests, errors, rps, the
                latency keys and stale (null where B is 0 or the figure does not apply).

                Exit status: 0 done; 1 target unreachable or run failed (flip: stale answers); 2 bad usage.
                """.formatted(scenarios, BenchOptions.DEFAULT_CONNECTIONS, BenchOptions.DEFAULT_DURATION,
                BenchOptions.DEFAULT_WARMUP, BenchOptions.DEFAULT_PIPELINE, Report.fmt(BenchOptions.DEFAULT_RATE),
                Runtime.getRuntime().availableProcessors(), BenchOptions.DEFAULT_TIMEOUT,
                BenchOptions.DEFAULT_FLIP_INTERVAL, BenchOptions.DEFAULT_ROUNDS, BenchOptions.DEFAULT_STREAMS,
                Durations.GRAMMAR);
    }
}
