package dev.poplar.pop3.server.internal.proxy;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fuzzes the PROXY protocol header parser (versions 1 and 2): arbitrary octets, cut into arbitrary packets as they
 * arrive from a balancer. Runs its seeds in every build (regression mode); {@code JAZZER_FUZZ=1} fuzzes (see the
 * README's "Fuzzing" section).
 */
class ProxyHeaderParserFuzzTest {

    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final Pattern V1_RELAYED = Pattern.compile(
            "PROXY (TCP4|TCP6) ([0-9.]{7,15}|[0-9A-Fa-f:]{2,39}) ([0-9.]{7,15}|[0-9A-Fa-f:]{2,39}) ([0-9]{1,5}) ([0-9]{1,5})");
    private static final Pattern V1_UNKNOWN = Pattern.compile("PROXY UNKNOWN( [\\x20-\\x7E]*)?");

    /**
     * Whatever the octets and however they are cut into packets: only a {@link ProxyHeaderException} escapes; the
     * outcome (header, error or still incomplete) and the octets consumed do not depend on the packets; no more
     * octets are consumed than a header may have (107 for v1, 16 plus the declared length for v2, at most
     * {@link ProxyHeaderParser#MAX_V2_OCTETS}); addresses come only from a header that a separate, plain reading of
     * the specification finds well formed; and what follows the header is left in the packet untouched.
     *
     * <p>The input: one octet for the sizes of the packets (1 to 226, alternating: low and high half, squared), one
     * octet of flags (1: packets are slices with their own array offset; 2: packets are direct buffers), then the
     * octets of the connection.
     *
     * @param input the fuzzer's input
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"PROXY TCP4 ", "PROXY TCP6 ", "PROXY UNKNOWN", " 65535 110", "QUIT", "127.0.0.1 ",
            "::ffff:", "TLSv1.3"})
    void consumesOnlyAWellFormedHeaderAndLeavesWhatFollows(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int[] packets = {1 + square(input[0] & 0x0F), 1 + square((input[0] >> 4) & 0x0F)};
        boolean slices = (input[1] & 1) != 0;
        boolean direct = (input[1] & 2) != 0;
        byte[] octets = Arrays.copyOfRange(input, 2, input.length);
        byte[] original = octets.clone();

        Outcome whole = feed(octets, new int[] {Math.max(1, octets.length)}, false, false);
        Outcome cut = feed(octets, packets, slices, direct);

        assertThat(octets).as("the parser never writes into what it reads").isEqualTo(original);
        assertThat(cut.consumed).as("octets consumed, whatever the packets").isEqualTo(whole.consumed);
        assertThat(cut.header).as("the header, whatever the packets").isEqualTo(whole.header);
        assertThat(cut.error).as("the error, whatever the packets").isEqualTo(whole.error);

        assertThat(cut.consumed).isLessThanOrEqualTo(limit(octets));
        if (cut.header != null) {
            assertWellFormed(Arrays.copyOf(octets, cut.consumed), cut.header);
        } else if (cut.error == null) {
            assertThat(cut.consumed).as("an incomplete header is all of the input").isEqualTo(octets.length);
            assertThat(cut.consumed).as("an incomplete header is shorter than its limit")
                    .isLessThan(limit(octets));
        }
    }

    /** What feeding the octets in packets gave. */
    private record Outcome(ProxyHeader header, String error, int consumed) {
    }

    private static Outcome feed(byte[] octets, int[] packets, boolean slices, boolean direct) {
        ProxyHeaderParser parser = new ProxyHeaderParser();
        int offset = 0;
        int packet = 0;
        while (offset < octets.length) {
            int size = Math.min(packets[packet++ % packets.length], octets.length - offset);
            ByteBuffer in = packet(octets, offset, size, slices, direct);
            int start = in.position();
            int limit = in.limit();
            ProxyHeader header;
            try {
                header = parser.feed(in);
            } catch (ProxyHeaderException e) {
                int consumed = offset + in.position() - start;
                assertThat(consumed).as("an error is found by the octet that makes it").isPositive();
                return new Outcome(null, e.getMessage(), consumed);
            }
            assertThat(in.limit()).as("the packet's limit").isEqualTo(limit);
            int consumed = offset + in.position() - start;
            if (header != null) {
                byte[] rest = new byte[in.remaining()];
                in.get(rest);
                assertThat(rest).as("what follows the header in its packet, untouched")
                        .isEqualTo(Arrays.copyOfRange(octets, consumed, offset + size));
                ByteBuffer more = ByteBuffer.wrap(octets, consumed, octets.length - consumed);
                assertThatThrownBy(() -> parser.feed(more)).isInstanceOf(IllegalStateException.class);
                assertThat(more.position()).as("nothing is read after the header").isEqualTo(consumed);
                return new Outcome(header, null, consumed);
            }
            assertThat(in.hasRemaining()).as("an incomplete header consumes its whole packet").isFalse();
            offset += size;
        }
        return new Outcome(null, null, offset);
    }

    private static ByteBuffer packet(byte[] octets, int offset, int size, boolean slices, boolean direct) {
        if (direct) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(size + 3);
            buffer.position(3);
            buffer.put(octets, offset, size);
            return buffer.position(3);
        }
        ByteBuffer wrapped = ByteBuffer.wrap(octets, offset, size);
        return slices ? wrapped.slice() : wrapped;
    }

    /** The most octets a header starting like these may have; what the parser may consume at most. */
    private static int limit(byte[] octets) {
        if (octets.length == 0 || octets[0] != SIGNATURE[0]) {
            return ProxyHeaderParser.MAX_V1_OCTETS;
        }
        if (octets.length < 16 || !Arrays.equals(octets, 0, 12, SIGNATURE, 0, 12)) {
            return 16;
        }
        return Math.min(16 + u16(octets, 14), ProxyHeaderParser.MAX_V2_OCTETS);
    }

    private static void assertWellFormed(byte[] header, ProxyHeader parsed) {
        if (parsed.version() == 1) {
            assertWellFormedV1(header, parsed);
        } else {
            assertThat(parsed.version()).isEqualTo(2);
            assertWellFormedV2(header, parsed);
        }
        assertThat(parsed.destination().isPresent()).isEqualTo(parsed.source().isPresent());
    }

    private static void assertWellFormedV1(byte[] header, ProxyHeader parsed) {
        assertThat(header.length).isLessThanOrEqualTo(ProxyHeaderParser.MAX_V1_OCTETS);
        assertThat(Arrays.copyOfRange(header, header.length - 2, header.length)).isEqualTo(new byte[] {'\r', '\n'});
        for (int i = 0; i < header.length - 2; i++) {
            assertThat(header[i]).as("octet %d of a v1 line", i).isBetween((byte) 0x20, (byte) 0x7E);
        }
        String line = new String(header, 0, header.length - 2, StandardCharsets.US_ASCII);
        assertThat(parsed.tls()).isEmpty();
        if (!parsed.relayed()) {
            assertThat(line).matches(V1_UNKNOWN);
            return;
        }
        Matcher m = V1_RELAYED.matcher(line);
        assertThat(m.matches()).as("a relayed v1 line is well formed: %s", line).isTrue();
        boolean v4 = m.group(1).equals("TCP4");
        assertV1Address(parsed.source().orElseThrow(), m.group(2), m.group(4), v4);
        assertV1Address(parsed.destination().orElseThrow(), m.group(3), m.group(5), v4);
    }

    private static void assertV1Address(InetSocketAddress parsed, String address, String port, boolean v4) {
        assertThat(String.valueOf(parsed.getPort())).as("a port in canonical decimal").isEqualTo(port);
        if (v4) {
            assertThat(parsed.getAddress()).isInstanceOf(Inet4Address.class);
            assertThat(parsed.getAddress().getHostAddress()).as("a canonical IPv4 address").isEqualTo(address);
        } else {
            assertThat(address).contains(":");
            InetAddress expected;
            try {
                // A literal with a colon is parsed, never looked up.
                expected = InetAddress.getByName(address);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError("the JDK does not read '" + address + "' as an IPv6 address", e);
            }
            assertThat(parsed.getAddress()).isEqualTo(expected);
        }
    }

    private static void assertWellFormedV2(byte[] header, ProxyHeader parsed) {
        assertThat(header.length).isBetween(16, ProxyHeaderParser.MAX_V2_OCTETS);
        assertThat(Arrays.copyOf(header, 12)).isEqualTo(SIGNATURE);
        assertThat(header[12] & 0xF0).as("version").isEqualTo(0x20);
        int command = header[12] & 0x0F;
        int family = (header[13] & 0xF0) >> 4;
        int transport = header[13] & 0x0F;
        assertThat(command).isBetween(0, 1);
        assertThat(family).isBetween(0, 3);
        assertThat(transport).isBetween(0, 2);
        assertThat(header.length).as("the declared length").isEqualTo(16 + u16(header, 14));
        int addresses = switch (family) {
            case 1 -> 12;
            case 2 -> 36;
            case 3 -> 216;
            default -> 0;
        };
        if (family == 0) {
            assertThat(parsed.tls()).isEmpty();
        } else {
            assertThat(header.length).isGreaterThanOrEqualTo(16 + addresses);
            assertThat(tlvsWellFormed(header, 16 + addresses)).as("TLVs fill the header exactly").isTrue();
            assertThat(parsed.tls().isPresent()).isEqualTo(hasTlv(header, 16 + addresses, 0x20));
        }
        if (!parsed.relayed()) {
            assertThat(command == 0 || transport != 1 || family == 0 || family == 3).isTrue();
            return;
        }
        assertThat(command).as("only PROXY relays addresses").isEqualTo(1);
        assertThat(transport).as("only TCP relays addresses").isEqualTo(1);
        int size = family == 1 ? 4 : 16;
        assertThat(family).isBetween(1, 2);
        assertV2Address(parsed.source().orElseThrow(), header, 16, size, 16 + 2 * size);
        assertV2Address(parsed.destination().orElseThrow(), header, 16 + size, size, 16 + 2 * size + 2);
    }

    private static void assertV2Address(InetSocketAddress parsed, byte[] header, int address, int size, int port) {
        InetAddress expected;
        try {
            expected = InetAddress.getByAddress(Arrays.copyOfRange(header, address, address + size));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        assertThat(parsed.getAddress()).isEqualTo(expected);
        assertThat(parsed.getPort()).isEqualTo(u16(header, port));
    }

    /** TLVs as section 2.2.7 lays them out, each inside the header, an SSL TLV's sub-TLVs inside it, CRC32C right. */
    private static boolean tlvsWellFormed(byte[] header, int from) {
        int at = from;
        while (at < header.length) {
            if (at + 3 > header.length || at + 3 + u16(header, at + 1) > header.length) {
                return false;
            }
            int type = header[at] & 0xFF;
            int size = u16(header, at + 1);
            if (type == 0x03 && !crcRight(header, at + 3, size)) {
                return false;
            }
            if (type == 0x20 && (size < 5 || !subTlvsWellFormed(header, at + 3 + 5, at + 3 + size))) {
                return false;
            }
            at += 3 + size;
        }
        return at == header.length;
    }

    private static boolean subTlvsWellFormed(byte[] header, int from, int end) {
        int at = from;
        while (at < end) {
            if (at + 3 > end || at + 3 + u16(header, at + 1) > end) {
                return false;
            }
            at += 3 + u16(header, at + 1);
        }
        return true;
    }

    private static boolean crcRight(byte[] header, int value, int size) {
        if (size != 4) {
            return false;
        }
        byte[] zeroed = header.clone();
        Arrays.fill(zeroed, value, value + 4, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(zeroed);
        return crc.getValue() == ((long) u16(header, value) << 16 | u16(header, value + 2));
    }

    private static boolean hasTlv(byte[] header, int from, int type) {
        for (int at = from; at + 3 <= header.length; at += 3 + u16(header, at + 1)) {
            if ((header[at] & 0xFF) == type) {
                return true;
            }
        }
        return false;
    }

    private static int u16(byte[] octets, int at) {
        return (octets[at] & 0xFF) << 8 | (octets[at + 1] & 0xFF);
    }

    private static int square(int n) {
        return n * n;
    }
}
