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
 * @param pipeline     requests in flight per connection (1 except for the pipeline scenario)
 * @param rate         checks per second per simulated load balancer (fleet)
 * @param threads      event-loop threads
 * @param transport    {@code auto}, {@code epoll} or {@code nio}
 * @param timeoutNanos a request (or connect) not answered within this is an error
 * @param config       plight.conf handed to the default flip commands, or {@code null}
 * @param flipSteps    the commands the flip scenario cycles through
 * @param rounds       A/B rounds for {@code --compare}
 */
record Settings(Scenario scenario, Target url, Target compare, int connections, long durationNanos,
                long warmupNanos, int pipeline, double rate, int threads, String transport, long timeoutNanos,
                Path config, List<CommandFlipper.Step> flipSteps, long flipIntervalNanos, Path json, int rounds) {

    Settings withUrl(Target target) {
        return new Settings(scenario, target, compare, connections, durationNanos, warmupNanos, pipeline, rate,
                threads, transport, timeoutNanos, config, flipSteps, flipIntervalNanos, json, rounds);
    }
}
