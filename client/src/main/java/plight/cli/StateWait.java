package plight.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import plight.config.Durations;
import plight.control.Reply;
import plight.control.SourceLine;
import plight.text.Json;

/**
 * {@code --wait} after a state change: asks the daemon's {@code wait} in short slices, so that each probe source
 * can be shown as it confirms, until every source seen within the window has confirmed or the time is up.
 */
final class StateWait {
    /** How long one {@code wait} request runs at most; also how finely each source's time to confirm is known. */
    static final Duration SLICE = Duration.ofMillis(250);

    /**
     * How a wait can end. The last four end it early: another change replaced the state waited for, the daemon is
     * stopping or went away, plight was not running to begin with, or the daemon refused the wait.
     */
    enum Result { CONFIRMED, TIMEOUT, NO_SOURCES, SUPERSEDED, STOPPING, NOT_RUNNING, FAILED }

    /** One source as last seen, and when it confirmed (ms after the wait began; -1 if it did not). */
    record Source(SourceLine line, long afterMillis) {
    }

    /**
     * How the wait ended.
     *
     * @param stateNow the state served instead, when another change superseded the wait; else {@code null}
     * @param failure  what ends the command, for the results that end the wait early; else {@code null}
     */
    record Outcome(Result result, long elapsedMillis, List<Source> confirmed, List<Source> lagging, String stateNow,
                   CliException failure) {
        Outcome(Result result, long elapsedMillis, List<Source> confirmed, List<Source> lagging) {
            this(result, elapsedMillis, confirmed, lagging, null, null);
        }

        /** No wait at all: plight is not running, so nothing serves the state for a load balancer to confirm. */
        static Outcome notRunning(CliException failure) {
            return new Outcome(Result.NOT_RUNNING, 0, List.of(), List.of(), null, failure);
        }
    }

    /** The daemon answered the wait with an error. */
    private static final class Refused extends CliException {
        Refused(ExitCode code, String message) {
            super(code, message);
        }
    }

    private final String state;
    private final int fall;
    private final Duration timeout;
    private final Duration window;
    private final int requireSources;

    StateWait(String state, int fall, Duration timeout, Duration window, int requireSources) {
        this.state = state;
        this.fall = fall;
        this.timeout = timeout;
        this.window = window;
        this.requireSources = requireSources;
    }

    /**
     * Every ending is an outcome, so that {@code --json} can print it; those that end the command with an error
     * carry it in {@link Outcome#failure()}.
     *
     * @param progress where to show each confirmation and a count while waiting (a terminal), or {@code null}
     */
    Outcome run(Node node, PrintStream progress) {
        long start = System.nanoTime();
        Map<String, Source> confirmed = new LinkedHashMap<>();
        List<Source> lagging = new ArrayList<>();
        try {
            return poll(node, progress, start, confirmed, lagging);
        } catch (CliException e) {
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            String now = e instanceof Refused ? superseding(node) : null;
            Result result = e instanceof Stopping ? Result.STOPPING : now != null ? Result.SUPERSEDED : Result.FAILED;
            return new Outcome(result, elapsed, List.copyOf(confirmed.values()), List.copyOf(lagging), now, e);
        }
    }

    /**
     * The state served now if it is no longer the one waited for: the daemon ends a wait with a plain error when
     * another change replaces the state, and asking is surer than reading its words. {@code null} if it is the
     * same or cannot be told.
     */
    private String superseding(Node node) {
        try {
            String now = node.status().state();
            return state.equals(now) ? null : now;
        } catch (CliException e) {
            return null;
        }
    }

    private Outcome poll(Node node, PrintStream progress, long start, Map<String, Source> confirmed, List<Source> lagging)
            throws CliException {
        long deadline = start + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Duration slice = Duration.ofMillis(Math.max(1, Math.min(SLICE.toMillis(), left / 1_000_000)));
            Reply reply = node.call("wait " + state + " fall=" + fall + " timeout=" + Durations.format(slice)
                    + " window=" + Durations.format(window), slice.plus(DaemonNode.TIMEOUT));
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            if (!reply.isOk() && !Reply.TIMEOUT.equals(reply.errorKind())) {
                throw new Refused(Reply.USAGE.equals(reply.errorKind()) ? ExitCode.USAGE : ExitCode.FAILED,
                        "while waiting for the load balancers: " + reply.errorText());
            }
            for (String c : reply.all("confirmed")) {
                SourceLine line = SourceLine.parse(c);
                String key = key(line);
                if (!confirmed.containsKey(key)) {
                    confirmed.put(key, new Source(line, elapsed));
                    if (progress != null) {
                        progress.printf(Locale.ROOT, "\r\033[K  confirmed %s after %s%n", describe(line), seconds(elapsed));
                    }
                } else {
                    confirmed.put(key, new Source(line, confirmed.get(key).afterMillis()));
                }
            }
            List<Source> nowLagging = new ArrayList<>();
            for (String l : reply.all("lagging")) {
                SourceLine line = SourceLine.parse(l);
                confirmed.remove(key(line)); // a source can fall back, e.g. a view going from UP to "UP 1/3"
                nowLagging.add(new Source(line, -1));
            }
            lagging.clear();
            lagging.addAll(nowLagging);
            boolean allIn = reply.isOk();
            if (allIn && confirmed.size() >= Math.max(1, requireSources)) {
                return new Outcome(Result.CONFIRMED, elapsed, List.copyOf(confirmed.values()), List.of());
            }
            if (allIn && confirmed.isEmpty() && requireSources == 0) {
                return new Outcome(Result.NO_SOURCES, elapsed, List.of(), List.of());
            }
            if (System.nanoTime() - deadline >= 0) {
                return new Outcome(Result.TIMEOUT, elapsed, List.copyOf(confirmed.values()), List.copyOf(lagging));
            }
            if (progress != null) {
                progress.printf(Locale.ROOT, "\r\033[Kwaiting: %d of %d probe source(s) confirmed '%s' (%s)", confirmed.size(),
                        confirmed.size() + lagging.size(), state, seconds(elapsed));
            }
            if (allIn) {
                pause(); // all in, but fewer than --require-sources: the daemon answers at once, so do not spin
            }
        }
    }

    /** HTTP checks and agent checks from one address are two sources. */
    private static String key(SourceLine s) {
        return s.address() + " " + ("agent".equals(s.kind()) ? "agent" : "http");
    }

    static String describe(SourceLine s) {
        return s.who();
    }

    /** What a laggard last saw: the state it was served and how often in a row, and its own view if it reports one. */
    static String lastSaw(SourceLine s) {
        StringBuilder sb = new StringBuilder(s.who()).append(": served '").append(s.state()).append("' x").append(s.streak());
        if (s.lb() != null) sb.append(", its view ").append(s.lb().describe());
        return sb.toString();
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static void pause() throws CliException {
        try {
            Thread.sleep(SLICE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted while waiting");
        }
    }

    /** The {@code wait} member of {@code --json}'s object. */
    static String json(Outcome o) {
        StringBuilder sb = new StringBuilder("{\"result\":").append(Json.quote(o.result().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        sb.append(",\"elapsed_ms\":").append(o.elapsedMillis());
        sb.append(",\"confirmed\":");
        sources(sb, o.confirmed());
        sb.append(",\"lagging\":");
        sources(sb, o.lagging());
        if (o.stateNow() != null) sb.append(",\"state_now\":").append(Json.quote(o.stateNow()));
        if (o.failure() != null) sb.append(",\"error\":").append(Json.quote(o.failure().getMessage()));
        return sb.append('}').toString();
    }

    private static void sources(StringBuilder sb, List<Source> list) {
        sb.append('[');
        String sep = "";
        for (Source s : list) {
            SourceLine l = s.line();
            sb.append(sep).append("{\"address\":").append(Json.quote(l.address()))
                    .append(",\"kind\":").append(Json.quoteOrNull(l.kind()))
                    .append(",\"state\":").append(Json.quoteOrNull(l.state()))
                    .append(",\"streak\":").append(l.streak())
                    .append(",\"lb\":").append(Output.lbJson(l));
            if (s.afterMillis() >= 0) sb.append(",\"after_ms\":").append(s.afterMillis());
            sb.append('}');
            sep = ",";
        }
        sb.append(']');
    }
}
