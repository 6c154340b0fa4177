package plight.probe;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections whose requests were held back for a later turn of their event loop, served round-robin from one
 * task per loop that answers at most {@link #ANSWERS_PER_TURN} of them per turn, then yields until the next.
 *
 * <p>Per connection, a turn answers at most {@link ProbeHandler#MAX_ANSWERS_PER_TURN}; this bounds the sum,
 * so that hundreds of connections with deep pipelines cannot make a turn (and the wait of every new probe,
 * which is answered when its bytes arrive) long. The answers connections give in their own reads share a second
 * budget per turn ({@link #INLINE_ANSWERS_PER_TURN}, {@link Queue#takeInline}): a burst of new pipelining connections, all read
 * in one turn, would otherwise answer a whole pipeline each before the probe that connected behind them.
 * One instance per probe server, one queue per event loop.
 */
public final class Turns {
    static final int ANSWERS_PER_TURN = 512;
    /**
     * Answers connections may give in their own reads per turn, beyond each read's first: 64 connections that
     * pipeline 16 requests each (wrk's pipelined benchmark) fit, so ordinary pipelining keeps its direct path
     * (with 512, ~10 % more CPU per pipelined request); hundreds of new pipelines at once do not.
     */
    static final int INLINE_ANSWERS_PER_TURN = 1024;

    private final Map<EventExecutor, Queue> queues = new ConcurrentHashMap<>();

    /** The queue of {@code loop}; call from that loop only, and keep it: the lookup is not free. */
    public Queue of(EventExecutor loop) {
        return queues.computeIfAbsent(loop, Queue::new);
    }

    /** A connection waiting for its next turn. */
    public interface Waiting {
        /** Answers this connection's share of the turn; returns how many requests it answered. */
        int takeTurn();
    }

    public static final class Queue implements Runnable {
        private final EventExecutor loop;
        private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        private final Runnable refillInline = this::refillInline;
        private boolean scheduled;
        /** What is left of this turn's budget for answers given in reads. */
        private int inlineLeft = INLINE_ANSWERS_PER_TURN;
        private boolean refillQueued;

        private Queue(EventExecutor loop) {
            this.loop = loop;
        }

        /** Queues {@code connection} for a turn; it must not be queued already. */
        public void add(Waiting connection) {
            waiting.add(connection);
            if (!scheduled) {
                scheduled = true;
                // Scheduled, not executed: the loop runs a scheduled task after its next I/O, while a task merely
                // executed would join the batch of tasks already running, which only ends when the queue does.
                loop.schedule(this, 0, NANOSECONDS);
            }
        }

        /**
         * Takes one answer from this turn's budget for answers given in reads (a connection's first answer of a
         * read is not counted, so a probe never asks); {@code false} when it is used up and the connection should
         * wait for its turn here instead. The budget is refilled once the loop has done this turn's I/O.
         */
        public boolean takeInline() {
            if (!refillQueued) {
                refillQueued = true;
                // Executed, so it runs with the tasks that follow this turn's I/O, before the next turn's reads.
                loop.execute(refillInline);
            }
            if (inlineLeft == 0) {
                return false;
            }
            inlineLeft--;
            return true;
        }

        private void refillInline() {
            refillQueued = false;
            inlineLeft = INLINE_ANSWERS_PER_TURN;
        }

        @Override
        public void run() {
            scheduled = false;
            int budget = ANSWERS_PER_TURN;
            // Each connection at most once per turn: one that still has requests queues itself again, behind.
            for (int n = waiting.size(); n > 0 && budget > 0; n--) {
                budget -= waiting.poll().takeTurn();
            }
            if (!waiting.isEmpty() && !scheduled) {
                scheduled = true;
                loop.schedule(this, 0, NANOSECONDS);
            }
        }
    }
}
