package dev.poplar.pop3.server.internal.proxy;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a single address without a
 * prefix length is a block of one. Immutable.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses a block.
     *
     * @param text an IPv4 or IPv6 literal, optionally followed by {@code /} and a prefix length
     * @return the block
     * @throws IllegalArgumentException if the text is not a block, or has bits set beyond the prefix length
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text : text.substring(0, slash);
        byte[] address = literal.indexOf(':') >= 0 ? IpLiterals.ipv6(literal) : IpLiterals.ipv4(literal);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address or CIDR block: '" + text + "'");
        }
        int bits = address.length * 8;
        int prefix = slash < 0 ? bits : IpLiterals.decimal(text.substring(slash + 1), 3);
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("the prefix length of '" + text + "' must be 0 to " + bits);
        }
        for (int bit = prefix; bit < bits; bit++) {
            if ((address[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                throw new IllegalArgumentException("'" + text + "' has host bits set beyond /" + prefix
                        + ": write the network address");
            }
        }
        return new Cidr(address, prefix, text);
    }

    /**
     * Whether an address is in this block. IPv4 addresses never match IPv6 blocks or the other way round.
     *
     * @param address the address
     * @return {@code true} if it is in the block
     */
    public boolean contains(InetAddress address) {
        byte[] octets = address.getAddress();
        if (octets.length != network.length) {
            return false;
        }
        int whole = prefix / 8;
        if (!Arrays.equals(octets, 0, whole, network, 0, whole)) {
            return false;
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (octets[whole] & mask) == (network[whole] & mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
