package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Connections with held-back requests take turns: round-robin, bounded answers per turn of the loop. */
class TurnsTest {
    private final EmbeddedChannel loopOwner = new EmbeddedChannel();
    private final Turns.Queue queue = new Turns().of(loopOwner.eventLoop());
    private final List<Integer> order = new ArrayList<>();

    /** A connection with {@code turnsLeft} full turns of requests to answer. */
    private final class Deep implements Turns.Waiting {
        final int id;
        int turnsLeft;

        Deep(int id, int turnsLeft) {
            this.id = id;
            this.turnsLeft = turnsLeft;
        }

        @Override
        public int takeTurn() {
            order.add(id);
            if (turnsLeft == 0) {
                return 0; // closed meanwhile, or nothing left
            }
            if (--turnsLeft > 0) {
                queue.add(this);
            }
            return ProbeHandler.MAX_ANSWERS_PER_TURN;
        }
    }

    @Test
    void aTurnAnswersAtMostItsBudgetAndEveryConnectionGetsItsTurnInOrder() {
        int connections = 3 * Turns.ANSWERS_PER_TURN / ProbeHandler.MAX_ANSWERS_PER_TURN;
        for (int i = 0; i < connections; i++) {
            queue.add(new Deep(i, 2));
        }
        int perTurn = Turns.ANSWERS_PER_TURN / ProbeHandler.MAX_ANSWERS_PER_TURN;
        List<Integer> expected = new ArrayList<>();
        for (int turn = 0; turn < 6; turn++) {
            order.clear();
            queue.run();
            expected.clear();
            for (int i = 0; i < perTurn; i++) {
                expected.add((turn * perTurn + i) % connections);
            }
            assertEquals(expected, order, "turn " + turn);
        }
        order.clear();
        queue.run();
        assertEquals(List.of(), order, "all answered");
    }

    @Test
    void aConnectionIsServedAtMostOncePerTurnAndOneThatAnswersNothingCostsNoBudget() {
        queue.add(new Deep(0, 5));
        queue.add(new Deep(1, 0));
        queue.run();
        assertEquals(List.of(0, 1), order);
        order.clear();
        queue.run();
        assertEquals(List.of(0), order);
    }
}
