package dev.poplar.pop3.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A network in CIDR notation, IPv4 ({@code 192.0.2.0/24}) or IPv6 ({@code 2001:db8::/32}). A bare address is the
 * network of that address alone. An IPv4 client that reaches an IPv6 socket ({@code ::ffff:192.0.2.1}) is matched as
 * IPv4. Only literal addresses are accepted: parsing never asks DNS. Immutable and thread-safe.
 *
 * <p>Used wherever a rule names client networks: the server's access rules and trusted networks, and the networks an
 * app password is limited to.
 */
public final class Cidr {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
            + "(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    /** Starts with a hexadecimal digit or a colon, so that the JDK parses it as a literal and never asks DNS. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses a network.
     *
     * @param text e.g. {@code 10.0.0.0/8}, {@code 2001:db8::/32} or {@code 192.0.2.7}
     * @return the network, with the host bits cleared
     * @throws IllegalArgumentException if it is not an address literal with an optional prefix length in range
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] octets;
        if (IPV4.matcher(address).matches()) {
            octets = literal(text, address);
        } else if (IPV6.matcher(address).matches()) {
            octets = literal(text, address);
            if (octets.length != 16) {
                throw new IllegalArgumentException("not a network: " + text + " (write IPv4 networks in IPv4 form)");
            }
        } else {
            throw new IllegalArgumentException("not a network: " + text + " (expected an address or address/prefix)");
        }
        int bits = octets.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            prefix = length.matches("\\d{1,3}") ? Integer.parseInt(length) : -1;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("not a network: " + text + " (prefix length from 0 to " + bits
                        + ")");
            }
        }
        return new Cidr(mask(octets, prefix), prefix);
    }

    /**
     * Whether an address is in this network.
     *
     * @param address a client address
     * @return {@code true} if its first {@code prefix} bits are the network's
     */
    public boolean contains(InetAddress address) {
        byte[] octets = address.getAddress();
        if (address instanceof Inet6Address && network.length == 4 && isMappedIpv4(octets)) {
            octets = Arrays.copyOfRange(octets, 12, 16);
        }
        return octets.length == network.length && Arrays.equals(mask(octets, prefix), network);
    }

    @Override
    public String toString() {
        try {
            String address = InetAddress.getByAddress(network).getHostAddress();
            return address + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    private static byte[] literal(String text, String address) {
        try {
            InetAddress parsed = InetAddress.getByName(address);
            byte[] octets = parsed.getAddress();
            if (parsed instanceof Inet4Address && address.contains(":")) {
                throw new IllegalArgumentException("not a network: " + text
                        + " (write IPv4 networks in IPv4 form)");
            }
            return octets;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a network: " + text + " (not an IP address)");
        }
    }

    private static boolean isMappedIpv4(byte[] octets) {
        for (int i = 0; i < 10; i++) {
            if (octets[i] != 0) {
                return false;
            }
        }
        return octets[10] == (byte) 0xff && octets[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] octets, int prefix) {
        byte[] masked = octets.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            masked[i] &= (byte) (0xff << (8 - keep));
        }
        return masked;
    }
}
