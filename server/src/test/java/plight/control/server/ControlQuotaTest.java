package plight.control.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Control connections per uid: a share each, a cap for all, root and the daemon's user never refused. */
class ControlQuotaTest {
    private static final long DAEMON = 998;
    private final ControlQuota quota = new ControlQuota(DAEMON, 2, 3);

    @Test
    void aUidBeyondItsShareIsRefusedUntilOneOfItsConnectionsCloses() {
        assertNull(quota.admit(1000));
        assertNull(quota.admit(1000));
        String refused = quota.admit(1000);
        assertNotNull(refused);
        assertTrue(refused.contains("uid 1000") && refused.contains("at most 2"), refused);
        quota.release(1000);
        assertNull(quota.admit(1000));
    }

    @Test
    void allOtherUidsTogetherAreCappedSoThatFewUsersCannotTakeTheDescriptors() {
        assertNull(quota.admit(1000));
        assertNull(quota.admit(1000));
        assertNull(quota.admit(1001));
        String refused = quota.admit(1002);
        assertNotNull(refused);
        assertTrue(refused.contains("at most 3"), refused);
        quota.release(1001);
        assertNull(quota.admit(1002));
    }

    @Test
    void rootAndTheDaemonsUserAreNeverRefused() {
        quota.admit(1000);
        quota.admit(1000);
        quota.admit(1001);
        assertNotNull(quota.admit(1001), "the others' cap is reached");
        for (int i = 0; i < 100; i++) {
            assertNull(quota.admit(0));
            assertNull(quota.admit(DAEMON));
        }
        assertEquals(null, quota.admit(0));
    }
}
