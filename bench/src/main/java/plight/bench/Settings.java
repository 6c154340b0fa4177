package plight.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * A validated benchmark configuration.
 *
 * @param url          target A
 * @param compare      target B for {@code --compare}, or {@code null}
 * @param connections  connections (keepalive, pipeline, flip), concurrent probers (close) or simulated load
 *                     balancers (fleet)
 * @param pipeline     requests in flight per connection: --pipeline (pipeline), --streams (h2, grpc), else 1
 * @param rate         checks per second per simulated load balancer (fleet)
 * @param threads      event-loop threads
 * @param transport    {@code auto}, {@code epoll} or {@code nio}
 * @param timeoutNanos a request (or connect) not answered within this is an error
 * @param config       plight.conf handed to the default flip commands, or {@code null}
 * @param flipSteps    the commands the flip scenario cycles through
 * @param rounds       A/B rounds for {@code --compare}
 * @param reuseShare   fleet: share of the load balancers (0 to 1) that keep their connection
 * @param jitter       fleet: each check's interval varies by up to this share (0 to 1) either way
 * @param pid          the target's process for {@code cpu_us_per_request}, or {@code null}
 * @param comparePid   {@code --compare}: target B's process, or {@code null}
 * @param plot         {@code --plot} file, or {@code null}
 * @param newConnection h2, grpc: a new connection per request
 * @param service      grpc: the service name asked about ("" is the server as a whole)
 */
record Settings(Scenario scenario, Target url, Target compare, int connections, long durationNanos,
                long warmupNanos, int pipeline, double rate, int threads, String transport, long timeoutNanos,
                Path config, List<CommandFlipper.Step> flipSteps, long flipIntervalNanos, Path json, int rounds,
                double reuseShare, double jitter, Long pid, Long comparePid, Path plot,
                boolean newConnection, String service) {

    /** Settings for a run against target B of {@code --compare}: its URL and its pid. */
    Settings forB() {
        return withUrl(compare).withPid(comparePid);
    }

    Settings withUrl(Target target) {
        return new Settings(scenario, target, compare, connections, durationNanos, warmupNanos, pipeline, rate,
                threads, transport, timeoutNanos, config, flipSteps, flipIntervalNanos, json, rounds, reuseShare, jitter,
                pid, comparePid, plot, newConnection, service);
    }

    Settings withPid(Long p) {
        return new Settings(scenario, url, compare, connections, durationNanos, warmupNanos, pipeline, rate,
                threads, transport, timeoutNanos, config, flipSteps, flipIntervalNanos, json, rounds, reuseShare, jitter,
                p, comparePid, plot, newConnection, service);
    }
}
