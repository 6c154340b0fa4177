package plight.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Addresses in logs and stats: RFC 5952 for IPv6, dotted quads for IPv4 and IPv4-mapped addresses. */
class AddressesTest {
    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "2001:DB8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "fe80:0:0:0:0:0:0:1, fe80::1",
        "192.0.2.7, 192.0.2.7",
        "127.0.0.1, 127.0.0.1",
    })
    void addressesAreWrittenInTheirCanonicalForm(String literal, String expected) throws UnknownHostException {
        assertEquals(expected, Addresses.of(InetAddress.getByName(literal)));
    }

    @Test
    void ipv4MappedAddressesAreWrittenAsIpv4() throws UnknownHostException {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        // As a dual-stack socket may report an IPv4 peer; Java's own parsing would already make it IPv4.
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);
        assertEquals("192.0.2.7", Addresses.of(address));
    }

    @Test
    void socketAddressesBracketIpv6() throws UnknownHostException {
        assertEquals("[::1]:10101", Addresses.of(new InetSocketAddress(InetAddress.getByName("0:0:0:0:0:0:0:1"), 10101)));
        assertEquals("127.0.0.1:80", Addresses.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80)));
    }

    @Test
    void listeningAddressesAreTheConfiguredHostsWithTheirBoundPorts() {
        assertEquals("0.0.0.0:10102, [::1]:10103, [::]:10104",
                Addresses.listening(List.of("0.0.0.0", "[::1]", "0:0:0:0:0:0:0:0"), List.of(10102, 10103, 10104)));
    }
}
