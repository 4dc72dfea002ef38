package dev.poplar.pop3.server.internal.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Reads a PROXY protocol header (HAProxy's "PROXY protocol", versions 1 and 2) from the first octets of a
 * connection, fed in pieces of any size down to one octet. Socket-free; not thread-safe (one per connection).
 *
 * <p>The parser consumes exactly the header's octets and leaves what follows in the buffer. It is strict, as the
 * specification asks (section 2.1: "any sequence which does not exactly match the protocol must be discarded"):
 * a v1 line of more than 107 octets, a CR not followed by LF, addresses that are not canonical, an unknown v2
 * version, command, family or transport, a v2 header longer than {@link #MAX_V2_OCTETS}, TLVs that overflow the
 * header and a wrong CRC32C checksum are all errors. A v2 header for a transport other than TCP (UDP, UNIX sockets,
 * {@code UNSPEC}) is accepted as carrying no addresses (section 2.2: the receiver falls back to {@code UNSPEC}).
 */
public final class ProxyHeaderParser {

    /** The longest v1 header, CRLF included (section 2.1). */
    public static final int MAX_V1_OCTETS = 107;
    /**
     * The longest v2 header this server accepts: 16 octets of fixed header and 4 KiB of addresses and TLVs, room
     * for every TLV a balancer sends (SSL details, SNI, ALPN, a unique id, a client certificate) while a header of
     * the 64 KiB the format allows is refused.
     */
    public static final int MAX_V2_OCTETS = 16 + 4096;

    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int PP2_TYPE_CRC32C = 0x03;
    private static final int PP2_TYPE_SSL = 0x20;
    private static final int PP2_SUBTYPE_SSL_VERSION = 0x21;
    private static final int PP2_SUBTYPE_SSL_CIPHER = 0x23;
    private static final int PP2_CLIENT_SSL = 0x01;

    /** What the first octets of a connection look like. */
    public enum Detection {
        /** They start a PROXY header (v1 {@code "PROXY "} or the v2 signature). */
        HEADER,
        /** They cannot start a PROXY header. */
        NOT_HEADER,
        /** Too few octets to tell. */
        UNDECIDED
    }

    private byte[] octets = new byte[32];
    private int length;
    private int version;
    private int total = -1;
    private boolean done;

    /**
     * Whether octets received first on a connection start a PROXY header: lets a listener refuse headers from
     * sources it does not trust.
     *
     * @param start the first octets received; not consumed
     * @return the verdict, {@link Detection#UNDECIDED} while the octets are a proper prefix of a signature
     */
    public static Detection detect(ByteBuffer start) {
        boolean v1 = true;
        boolean v2 = true;
        int n = Math.min(start.remaining(), V2_SIGNATURE.length);
        for (int i = 0; i < n; i++) {
            byte b = start.get(start.position() + i);
            v1 &= i >= V1_PREFIX.length || b == V1_PREFIX[i];
            v2 &= b == V2_SIGNATURE[i];
        }
        if ((v1 && n >= V1_PREFIX.length) || (v2 && n == V2_SIGNATURE.length)) {
            return Detection.HEADER;
        }
        return v1 || v2 ? Detection.UNDECIDED : Detection.NOT_HEADER;
    }

    /**
     * Consumes octets of the header.
     *
     * @param in received octets; the header's are consumed, anything after the header is left
     * @return the header once it is complete, else {@code null} (all of {@code in} was consumed)
     * @throws ProxyHeaderException if the octets are not a valid header
     * @throws IllegalStateException if the header was already complete
     */
    public ProxyHeader feed(ByteBuffer in) throws ProxyHeaderException {
        if (done) {
            throw new IllegalStateException("the header is complete");
        }
        while (in.hasRemaining()) {
            byte b = in.get();
            append(b);
            ProxyHeader header = version == 1 ? v1Octet(b) : v2Octet(b);
            if (header != null) {
                done = true;
                return header;
            }
        }
        return null;
    }

    private void append(byte b) throws ProxyHeaderException {
        if (length == 0) {
            if (b == 'P') {
                version = 1;
            } else if (b == V2_SIGNATURE[0]) {
                version = 2;
            } else {
                throw new ProxyHeaderException("the connection does not start with a PROXY protocol header");
            }
        }
        if (length == octets.length) {
            octets = Arrays.copyOf(octets, Math.min(octets.length * 2, MAX_V2_OCTETS));
        }
        octets[length++] = b;
    }

    // ---------------------------------------------------------------- version 1 (section 2.1)

    private ProxyHeader v1Octet(byte b) throws ProxyHeaderException {
        if (length <= V1_PREFIX.length && b != V1_PREFIX[length - 1]) {
            throw new ProxyHeaderException("the connection does not start with a PROXY protocol header");
        }
        boolean afterCr = length >= 2 && octets[length - 2] == '\r';
        if (b == '\n') {
            if (!afterCr) {
                throw new ProxyHeaderException("PROXY v1 line ends with a bare LF");
            }
            return v1Line(new String(octets, 0, length - 2, StandardCharsets.US_ASCII));
        }
        if (afterCr) {
            throw new ProxyHeaderException("PROXY v1 line has a CR not followed by LF");
        }
        if (length >= MAX_V1_OCTETS) {
            throw new ProxyHeaderException("PROXY v1 line longer than " + MAX_V1_OCTETS + " octets");
        }
        if (b != '\r' && (b < 0x20 || b > 0x7E)) {
            throw new ProxyHeaderException("PROXY v1 line has a non-printable octet");
        }
        return null;
    }

    private static ProxyHeader v1Line(String line) throws ProxyHeaderException {
        String[] words = line.split(" ", -1);
        if (words.length >= 2 && words[1].equals("UNKNOWN")) {
            // Section 2.1: whatever follows UNKNOWN is ignored; the connection's own addresses apply.
            return new ProxyHeader(1, Optional.empty(), Optional.empty(), Optional.empty());
        }
        if (words.length != 6) {
            throw new ProxyHeaderException("PROXY v1 line needs 6 fields separated by single spaces");
        }
        boolean v4;
        if (words[1].equals("TCP4")) {
            v4 = true;
        } else if (words[1].equals("TCP6")) {
            v4 = false;
        } else {
            throw new ProxyHeaderException("PROXY v1 protocol must be TCP4, TCP6 or UNKNOWN");
        }
        InetAddress source = v1Address(words[2], v4);
        InetAddress destination = v1Address(words[3], v4);
        int sourcePort = IpLiterals.decimal(words[4], 5);
        int destinationPort = IpLiterals.decimal(words[5], 5);
        if (sourcePort < 0 || sourcePort > 65535 || destinationPort < 0 || destinationPort > 65535) {
            throw new ProxyHeaderException("PROXY v1 port is not a number from 0 to 65535 without leading zeros");
        }
        return new ProxyHeader(1, Optional.of(new InetSocketAddress(source, sourcePort)),
                Optional.of(new InetSocketAddress(destination, destinationPort)), Optional.empty());
    }

    private static InetAddress v1Address(String text, boolean v4) throws ProxyHeaderException {
        byte[] address = v4 ? IpLiterals.ipv4(text) : IpLiterals.ipv6(text);
        if (address == null) {
            throw new ProxyHeaderException("PROXY v1 address is not a canonical " + (v4 ? "IPv4" : "IPv6")
                    + " address");
        }
        return inet(address);
    }

    // ---------------------------------------------------------------- version 2 (section 2.2)

    private ProxyHeader v2Octet(byte b) throws ProxyHeaderException {
        if (length <= V2_SIGNATURE.length) {
            if (b != V2_SIGNATURE[length - 1]) {
                throw new ProxyHeaderException("the connection does not start with a PROXY protocol header");
            }
        } else if (length == 13) {
            if ((b & 0xF0) != 0x20) {
                throw new ProxyHeaderException("PROXY v2 header has version " + ((b & 0xF0) >> 4) + ", not 2");
            }
            if ((b & 0x0F) > 1) {
                throw new ProxyHeaderException("PROXY v2 header has an unknown command " + (b & 0x0F));
            }
        } else if (length == 14) {
            if ((b & 0xF0) > 0x30 || (b & 0x0F) > 2) {
                throw new ProxyHeaderException("PROXY v2 header has an unknown address family or transport");
            }
        } else if (length == 16) {
            total = 16 + ((octets[14] & 0xFF) << 8 | (octets[15] & 0xFF));
            if (total > MAX_V2_OCTETS) {
                throw new ProxyHeaderException("PROXY v2 header of " + total + " octets is longer than the "
                        + MAX_V2_OCTETS + " accepted");
            }
        }
        return length == total ? v2Header() : null;
    }

    private ProxyHeader v2Header() throws ProxyHeaderException {
        boolean local = (octets[12] & 0x0F) == 0;
        int family = (octets[13] & 0xF0) >> 4;
        int transport = octets[13] & 0x0F;
        int addressOctets = switch (family) {
            case 1 -> 12;
            case 2 -> 36;
            case 3 -> 216;
            default -> 0;
        };
        if (family != 0 && total - 16 < addressOctets) {
            throw new ProxyHeaderException("PROXY v2 header too short for its addresses");
        }
        Optional<ProxyHeader.ClientTls> tls = family == 0 ? Optional.empty() : tlvs(16 + addressOctets);
        if (local || transport != 1 || (family != 1 && family != 2)) {
            // LOCAL (a health check), or not TCP: the connection's own addresses apply.
            return new ProxyHeader(2, Optional.empty(), Optional.empty(), tls);
        }
        int size = family == 1 ? 4 : 16;
        InetAddress source = inet(Arrays.copyOfRange(octets, 16, 16 + size));
        InetAddress destination = inet(Arrays.copyOfRange(octets, 16 + size, 16 + 2 * size));
        int ports = 16 + 2 * size;
        return new ProxyHeader(2, Optional.of(new InetSocketAddress(source, u16(ports))),
                Optional.of(new InetSocketAddress(destination, u16(ports + 2))), tls);
    }

    private Optional<ProxyHeader.ClientTls> tlvs(int from) throws ProxyHeaderException {
        ProxyHeader.ClientTls tls = null;
        int at = from;
        while (at < total) {
            if (at + 3 > total) {
                throw new ProxyHeaderException("PROXY v2 TLV truncated");
            }
            int type = octets[at] & 0xFF;
            int size = u16(at + 1);
            int value = at + 3;
            if (value + size > total) {
                throw new ProxyHeaderException("PROXY v2 TLV overflows the header");
            }
            if (type == PP2_TYPE_CRC32C) {
                checkCrc(value, size);
            } else if (type == PP2_TYPE_SSL) {
                tls = ssl(value, size);
            }
            at = value + size;
        }
        return Optional.ofNullable(tls);
    }

    private void checkCrc(int value, int size) throws ProxyHeaderException {
        if (size != 4) {
            throw new ProxyHeaderException("PROXY v2 CRC32C TLV is not 4 octets");
        }
        long expected = (long) u16(value) << 16 | u16(value + 2);
        byte[] copy = Arrays.copyOf(octets, total);
        Arrays.fill(copy, value, value + 4, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(copy);
        if (crc.getValue() != expected) {
            throw new ProxyHeaderException("PROXY v2 header fails its CRC32C check");
        }
    }

    private ProxyHeader.ClientTls ssl(int value, int size) throws ProxyHeaderException {
        if (size < 5) {
            throw new ProxyHeaderException("PROXY v2 SSL TLV shorter than 5 octets");
        }
        int end = value + size;
        boolean ssl = (octets[value] & PP2_CLIENT_SSL) != 0;
        String protocol = null;
        String cipher = null;
        int at = value + 5;
        while (at < end) {
            if (at + 3 > end || at + 3 + u16(at + 1) > end) {
                throw new ProxyHeaderException("PROXY v2 SSL sub-TLV overflows its TLV");
            }
            int type = octets[at] & 0xFF;
            int length = u16(at + 1);
            String text = new String(octets, at + 3, length, StandardCharsets.US_ASCII);
            if (type == PP2_SUBTYPE_SSL_VERSION) {
                protocol = text;
            } else if (type == PP2_SUBTYPE_SSL_CIPHER) {
                cipher = text;
            }
            at += 3 + length;
        }
        return new ProxyHeader.ClientTls(ssl, Optional.ofNullable(protocol), Optional.ofNullable(cipher));
    }

    private int u16(int at) {
        return (octets[at] & 0xFF) << 8 | (octets[at + 1] & 0xFF);
    }

    private static InetAddress inet(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address of 4 or 16 octets", e);
        }
    }
}
