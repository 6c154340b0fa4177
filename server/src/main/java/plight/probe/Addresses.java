package plight.probe;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The one way addresses are written in logs and {@code stats}: IPv6 in RFC 5952's form ({@code ::1}, not Java's
 * {@code 0:0:0:0:0:0:0:1}), IPv4 and IPv4-mapped IPv6 addresses as dotted quads, a socket address as
 * {@code host:port} with IPv6 in brackets.
 */
public final class Addresses {
    private Addresses() {
    }

    public static String of(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return address.getHostAddress();
        }
        byte[] b = v6.getAddress();
        if (isIpv4Mapped(b)) {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        String text = NetUtil.toAddressString(v6);
        // Keep a zone (fe80::1%eth0), which NetUtil leaves out.
        String java = v6.getHostAddress();
        int zone = java.indexOf('%');
        return zone < 0 ? text : text + java.substring(zone);
    }

    public static String of(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String host = of(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Several socket addresses, comma-separated. */
    public static String of(List<InetSocketAddress> addresses) {
        StringBuilder sb = new StringBuilder();
        for (InetSocketAddress a : addresses) {
            sb.append(sb.length() == 0 ? "" : ", ").append(of(a));
        }
        return sb.toString();
    }

    /** Addresses listening: {@code hosts} as configured (literals or names), each with its bound port. */
    public static String listening(List<String> hosts, List<Integer> ports) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size() && i < ports.size(); i++) {
            String h = hosts.get(i).strip();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            InetSocketAddress address;
            try {
                address = new InetSocketAddress(InetAddress.getByName(h), ports.get(i));
            } catch (UnknownHostException e) {
                address = InetSocketAddress.createUnresolved(h, ports.get(i));
            }
            sb.append(i == 0 ? "" : ", ").append(of(address));
        }
        return sb.toString();
    }

    /** {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2). */
    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
