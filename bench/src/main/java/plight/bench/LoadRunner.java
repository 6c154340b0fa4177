package plight.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/** Runs one scenario against one target, start to finish, and returns its figures. */
final class LoadRunner {
    private LoadRunner() {
    }

    /**
     * @param flipper the state changer for the flip scenario (ignored otherwise); it is not closed here
     * @param err     where warnings go
     */
    static Result run(Settings s, Target target, StateFlipper flipper, PrintStream err)
            throws IOException, InterruptedException {
        RunContext rc = new RunContext(s, target);
        FlipDriver flips = null;
        Long cpuMicros = null;
        try {
            switch (s.scenario()) {
                case KEEPALIVE, PIPELINE, FLIP -> {
                    PersistentLoad load = new PersistentLoad(rc, s.pipeline());
                    int open = load.start();
                    if (open < s.connections()) {
                        err.println("plight-bench: warning: only " + open + " of " + s.connections()
                                + " connections to " + target + " were open when the load started");
                    }
                    if (rc.stale != null) {
                        flips = new FlipDriver(flipper, rc, err);
                        flips.start();
                    }
                    cpuMicros = measureCpu(s, rc);
                    load.awaitDrained();
                }
                case CLOSE -> {
                    ProbeLoad load = new ProbeLoad(rc);
                    load.start();
                    cpuMicros = measureCpu(s, rc);
                    load.awaitDrained();
                }
                case H2, GRPC -> {
                    H2Load load = new H2Load(rc);
                    int open = load.start();
                    if (open < s.connections()) {
                        err.println("plight-bench: warning: only " + open + " of " + s.connections()
                                + " connections to " + target + " were open when the load started");
                    }
                    cpuMicros = measureCpu(s, rc);
                    load.awaitDrained();
                }
                case FLEET -> {
                    try (FleetLoad load = new FleetLoad(rc, rc.shared)) {
                        load.start();
                        cpuMicros = measureCpu(s, rc);
                        load.awaitDrained();
                    }
                }
                default -> throw new IllegalStateException(s.scenario().toString());
            }
        } finally {
            rc.shutDown();
            rc.channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            rc.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            if (flips != null) {
                flips.join(TimeUnit.SECONDS.toMillis(CommandFlipper.COMMAND_TIMEOUT_SECONDS + 5));
            }
        }
        return Result.of(s, target, rc.transport.name(), rc.allStats(),
                flips == null ? null : flips.flips(), flips == null ? 0 : flips.failures(), cpuMicros,
                flips == null ? java.util.List.of() : flips.marks());
    }

    /**
     * Sleeps through the measured window; with a target pid, returns the CPU time it used in the window
     * ({@code null} without one).
     */
    private static Long measureCpu(Settings s, RunContext rc) throws IOException, InterruptedException {
        if (s.pid() == null) {
            sleepUntil(rc.end());
            return null;
        }
        sleepUntil(rc.measureStart());
        long before = CpuTime.micros(s.pid());
        sleepUntil(rc.end());
        return CpuTime.micros(s.pid()) - before;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        }
    }
}
