package plight.bench;

import java.util.Arrays;

/**
 * Decides whether a response shows a state older than the last change acknowledged before its request was sent.
 *
 * <p>Changes are numbered 1, 2, ... in the order they are started (generation). Each request remembers the
 * generation acknowledged when it was sent ({@link #acknowledgedGeneration()}, 0 before any). Its response is
 * judged only when that is known and no later change had been started by the time the response arrived (a
 * later, still unacknowledged change may legitimately already be visible); it is then stale when its
 * {@code X-Plight-State} (or the lack of one) differs from the acknowledged state.
 *
 * <p>The flipper thread writes ({@link #begin}, {@link #acknowledge}); event-loop threads read, without locks
 * or allocation: the history is copy-on-write, changes are rare.
 */
final class StaleDetector {

    private static final class History {
        final String[] states;   // states[g]: state acknowledged by change g, null if not (yet) acknowledged
        final long[] started;    // started[g]: System.nanoTime() when change g was requested
        final int count;         // changes started

        History(String[] states, long[] started, int count) {
            this.states = states;
            this.started = started;
            this.count = count;
        }
    }

    private volatile History history = new History(new String[1], new long[1], 0);
    private volatile int acknowledged;

    /** Records that change number {@code n} is requested now; returns {@code n}. */
    synchronized int begin(long nowNanos) {
        History h = history;
        int g = h.count + 1;
        String[] states = Arrays.copyOf(h.states, g + 1);
        long[] started = Arrays.copyOf(h.started, g + 1);
        started[g] = nowNanos;
        history = new History(states, started, g);
        return g;
    }

    /** Change {@code generation} was acknowledged: the daemon now serves {@code state}. */
    synchronized void acknowledge(int generation, String state) {
        History h = history;
        String[] states = h.states.clone();
        states[generation] = state;
        history = new History(states, h.started, h.count);
        if (generation > acknowledged) {
            acknowledged = generation;
        }
    }

    /** The last acknowledged change; what a request remembers when it is sent. */
    int acknowledgedGeneration() {
        return acknowledged;
    }

    /** Whether the response can be judged at all (see the class comment). */
    boolean judged(int generationAtSend, long receivedNanos) {
        if (generationAtSend == 0) {
            return false;
        }
        History h = history;
        return !(h.count > generationAtSend && h.started[generationAtSend + 1] - receivedNanos <= 0);
    }

    /**
     * @param generationAtSend {@link #acknowledgedGeneration()} when the request was sent
     * @param shownState       the response's {@code X-Plight-State}, {@code null} when absent
     * @param receivedNanos    when the response was received
     */
    boolean isStale(int generationAtSend, String shownState, long receivedNanos) {
        if (!judged(generationAtSend, receivedNanos)) {
            return false;
        }
        return !history.states[generationAtSend].equals(shownState);
    }
}
