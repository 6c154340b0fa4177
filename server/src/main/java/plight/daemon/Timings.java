package plight.daemon;

import java.time.Duration;
import plight.control.server.ControlServer;

/**
 * The daemon's fixed periods, as parameters so that tests can run them in milliseconds.
 *
 * @param controlIdle   how long a control connection may go without a complete request
 * @param markerPoll    how often the marker files are looked at for hand-made changes
 * @param waitPoll      how often a {@code wait} on the control socket looks at the probe sources
 * @param forgetSources how long a silent probe source stays in {@code stats}
 */
public record Timings(Duration controlIdle, Duration markerPoll, Duration waitPoll, Duration forgetSources) {
    public static final Timings DEFAULT = new Timings(ControlServer.DEFAULT_IDLE, Duration.ofSeconds(1),
            Duration.ofMillis(50), Duration.ofMinutes(10));

    public Timings {
        for (Duration d : new Duration[] {controlIdle, markerPoll, waitPoll, forgetSources}) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("a daemon timing must be positive, not " + d);
        }
    }
}
