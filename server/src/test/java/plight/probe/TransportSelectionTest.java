package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import plight.config.TransportChoice;

/** {@code [webserver] transport}: what each setting gives on machines that offer more or less, and the logged why. */
class TransportSelectionTest {
    private static final Transport.Availability ALL = new Transport.Availability(null, null);
    private static final Transport.Availability NO_URING =
            new Transport.Availability("IOException: io_uring_setup failed: Operation not permitted", null);
    private static final Transport.Availability NEITHER =
            new Transport.Availability("UnsatisfiedLinkError: no native library", "UnsatisfiedLinkError: no native library");

    @Test
    void aConfiguredTransportIsUsedWhereItIsAvailable() {
        assertEquals(new Transport.Selection(Transport.IO_URING, "configured"), Transport.select(TransportChoice.IO_URING, ALL));
        assertEquals(new Transport.Selection(Transport.EPOLL, "configured"), Transport.select(TransportChoice.EPOLL, ALL));
        assertEquals(new Transport.Selection(Transport.NIO, "configured"), Transport.select(TransportChoice.NIO, ALL));
    }

    @Test
    void ioUringFallsBackToEpollThenNioNamingWhy() {
        Transport.Selection s = Transport.select(TransportChoice.IO_URING, NO_URING);
        assertEquals(Transport.EPOLL, s.transport());
        assertEquals("epoll (configured io_uring; io_uring unavailable: IOException: io_uring_setup failed: Operation not permitted)",
                s.toString());
        Transport.Selection none = Transport.select(TransportChoice.IO_URING, NEITHER);
        assertEquals(Transport.NIO, none.transport());
        assertTrue(none.reason().contains("io_uring unavailable: UnsatisfiedLinkError"), none.reason());
        assertTrue(none.reason().contains("epoll unavailable: UnsatisfiedLinkError"), none.reason());
    }

    @Test
    void epollFallsBackToNioButNeverUpToIoUring() {
        Transport.Selection s = Transport.select(TransportChoice.EPOLL, new Transport.Availability(null, "no epoll"));
        assertEquals(Transport.NIO, s.transport());
        assertEquals("configured epoll; epoll unavailable: no epoll", s.reason());
    }

    @Test
    void autoTakesTheFirstAvailableOfItsMeasuredOrderAndSaysWhy() {
        Transport.Selection s = Transport.select(TransportChoice.AUTO, ALL);
        assertEquals(Transport.AUTO_ORDER.get(0), s.transport());
        assertTrue(s.reason().startsWith("auto: "), s.reason());
        assertTrue(s.reason().contains("BENCHMARKS.md"), s.reason());
        assertEquals(Transport.NIO, Transport.select(TransportChoice.AUTO, NEITHER).transport());
        assertTrue(Transport.select(TransportChoice.AUTO, NEITHER).reason().startsWith("auto; "));
    }

    @Test
    void autoNeverPrefersNioToANativeTransport() {
        assertEquals(Transport.NIO, Transport.AUTO_ORDER.get(Transport.AUTO_ORDER.size() - 1));
        assertEquals(3, Transport.AUTO_ORDER.size());
    }

    @Test
    void thisMachinesChoiceForEachSettingIsOneItOffers() {
        for (TransportChoice choice : TransportChoice.values()) {
            Transport.Selection s = Transport.select(choice);
            assertEquals(null, Transport.Availability.ofThisMachine().unavailable(s.transport()), s.toString());
        }
    }
}
