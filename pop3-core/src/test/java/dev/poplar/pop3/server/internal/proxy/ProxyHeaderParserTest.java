package dev.poplar.pop3.server.internal.proxy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyHeaderParserTest {

    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Feeds one octet at a time and checks that nothing after the header is consumed. */
    static ProxyHeader byteByByte(byte[] octets, int expectedHeaderLength) throws ProxyHeaderException {
        ProxyHeaderParser parser = new ProxyHeaderParser();
        for (int i = 0; i < octets.length; i++) {
            ByteBuffer one = ByteBuffer.wrap(octets, i, 1);
            ProxyHeader header = parser.feed(one);
            if (header != null) {
                assertThat(i + 1).as("header length").isEqualTo(expectedHeaderLength);
                return header;
            }
            assertThat(one.hasRemaining()).isFalse();
        }
        return null;
    }

    static ProxyHeader whole(byte[] octets) throws ProxyHeaderException {
        return new ProxyHeaderParser().feed(ByteBuffer.wrap(octets));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header: command, family byte, then the body (addresses and TLVs). */
    static byte[] v2(int command, int family, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.write(0x20 | command);
        out.write(family);
        out.write(body.length >> 8);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] tcp4(String source, int sourcePort, String destination, int destinationPort, byte[]... tlvs) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(IpLiterals.ipv4(source));
        body.writeBytes(IpLiterals.ipv4(destination));
        body.write(sourcePort >> 8);
        body.write(sourcePort);
        body.write(destinationPort >> 8);
        body.write(destinationPort);
        for (byte[] tlv : tlvs) {
            body.writeBytes(tlv);
        }
        return body.toByteArray();
    }

    static byte[] tlv(int type, byte[] value) {
        byte[] tlv = new byte[3 + value.length];
        tlv[0] = (byte) type;
        tlv[1] = (byte) (value.length >> 8);
        tlv[2] = (byte) value.length;
        System.arraycopy(value, 0, tlv, 3, value.length);
        return tlv;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Nested
    class Version1 {
        @Test
        void aTcp4LineGivesBothAddressesAndLeavesWhatFollows() throws ProxyHeaderException {
            String line = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 995\r\n";
            ByteBuffer in = ByteBuffer.wrap(ascii(line + "USER alice\r\n"));
            ProxyHeader header = new ProxyHeaderParser().feed(in);
            assertThat(header.version()).isEqualTo(1);
            assertThat(header.source()).contains(new InetSocketAddress("192.0.2.7", 56324));
            assertThat(header.destination()).contains(new InetSocketAddress("198.51.100.1", 995));
            assertThat(StandardCharsets.US_ASCII.decode(in).toString()).isEqualTo("USER alice\r\n");
        }

        @Test
        void aTcp6LineIsReadOneOctetAtATime() throws ProxyHeaderException {
            String line = "PROXY TCP6 2001:db8::7 2001:DB8:0:0:0:0:0:1 65535 0\r\n";
            ProxyHeader header = byteByByte(ascii(line + "CAPA\r\n"), line.length());
            assertThat(header.source()).contains(new InetSocketAddress("2001:db8::7", 65535));
            assertThat(header.destination()).contains(new InetSocketAddress("2001:db8::1", 0));
        }

        @Test
        void unknownIgnoresTheRestOfTheLine() throws ProxyHeaderException {
            assertThat(whole(ascii("PROXY UNKNOWN\r\n")).relayed()).isFalse();
            String longest = "PROXY UNKNOWN " + "ffff:".repeat(7) + "ffff " + "ffff:".repeat(7) + "ffff 65535 65535\r\n";
            assertThat(longest).hasSize(ProxyHeaderParser.MAX_V1_OCTETS);
            assertThat(byteByByte(ascii(longest), longest.length()).relayed()).isFalse();
        }

        @Test
        void aLineOfMoreThan107OctetsIsRefusedWithoutWaitingForItsEnd() {
            ProxyHeaderParser parser = new ProxyHeaderParser();
            byte[] endless = ascii("PROXY UNKNOWN " + "x".repeat(200));
            assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(endless)))
                    .isInstanceOf(ProxyHeaderException.class).hasMessageContaining("longer than 107");
        }

        @Test
        void aTruncatedLineIsIncompleteNotAccepted() throws ProxyHeaderException {
            ProxyHeaderParser parser = new ProxyHeaderParser();
            assertThat(parser.feed(ByteBuffer.wrap(ascii("PROXY TCP4 192.0.2.7 198.51.100.1 5632")))).isNull();
            assertThat(parser.feed(ByteBuffer.wrap(ascii("4 110\r")))).isNull();
            assertThat(parser.feed(ByteBuffer.wrap(ascii("\n"))).source())
                    .contains(new InetSocketAddress("192.0.2.7", 56324));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "PROXY TCP4 192.0.2.7 198.51.100.1 56324 110\n",
            "PROXY TCP4 192.0.2.7 198.51.100.1 56324 110\rX\n",
            "PROXY  TCP4 192.0.2.7 198.51.100.1 56324 110\r\n",
            "PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",
            "PROXY TCP4 192.0.2.7 198.51.100.1 56324 110 7\r\n",
            "PROXY TCP4 192.0.2.07 198.51.100.1 56324 110\r\n",
            "PROXY TCP4 192.0.2.256 198.51.100.1 56324 110\r\n",
            "PROXY TCP4 192.0.2 198.51.100.1 56324 110\r\n",
            "PROXY TCP4 2001:db8::7 198.51.100.1 56324 110\r\n",
            "PROXY TCP6 192.0.2.7 2001:db8::1 56324 110\r\n",
            "PROXY TCP6 2001:db8::7::1 2001:db8::1 56324 110\r\n",
            "PROXY TCP6 2001:db8:0:0:0:0:0:0:7 2001:db8::1 56324 110\r\n",
            "PROXY TCP6 2001:db8::7%eth0 2001:db8::1 56324 110\r\n",
            "PROXY TCP4 192.0.2.7 198.51.100.1 065535 110\r\n",
            "PROXY TCP4 192.0.2.7 198.51.100.1 65536 110\r\n",
            "PROXY TCP4 192.0.2.7 198.51.100.1 -1 110\r\n",
            "PROXY UDP4 192.0.2.7 198.51.100.1 56324 110\r\n",
            "PROXY tcp4 192.0.2.7 198.51.100.1 56324 110\r\n",
            "PROXY TCP4 192.0.2.7\t198.51.100.1 56324 110\r\n",
            "PROXYTCP4 192.0.2.7 198.51.100.1 56324 110\r\n",
            "USER alice\r\n",
        })
        void malformedLinesAreRefused(String line) {
            assertThatThrownBy(() -> byteByByte(ascii(line), -1)).isInstanceOf(ProxyHeaderException.class);
        }
    }

    @Nested
    class Version2 {
        @Test
        void tcpOverIpv4GivesBothAddressesOneOctetAtATime() throws ProxyHeaderException {
            byte[] header = v2(1, 0x11, tcp4("192.0.2.7", 56324, "198.51.100.1", 110));
            ProxyHeader parsed = byteByByte(concat(header, ascii("CAPA\r\n")), header.length);
            assertThat(parsed.version()).isEqualTo(2);
            assertThat(parsed.source()).contains(new InetSocketAddress("192.0.2.7", 56324));
            assertThat(parsed.destination()).contains(new InetSocketAddress("198.51.100.1", 110));
            assertThat(parsed.tls()).isEmpty();
        }

        @Test
        void tcpOverIpv6GivesBothAddresses() throws ProxyHeaderException {
            byte[] body = new byte[36];
            System.arraycopy(IpLiterals.ipv6("2001:db8::7"), 0, body, 0, 16);
            System.arraycopy(IpLiterals.ipv6("2001:db8::1"), 0, body, 16, 16);
            body[32] = (byte) 0xDC;
            body[33] = 0x04;
            body[35] = (byte) 0xE3;
            ProxyHeader parsed = whole(v2(1, 0x21, body));
            assertThat(parsed.source()).contains(new InetSocketAddress("2001:db8::7", 0xDC04));
            assertThat(parsed.destination()).contains(new InetSocketAddress("2001:db8::1", 0xE3));
        }

        @Test
        void localCarriesNoAddressEvenWithAnAddressBlock() throws ProxyHeaderException {
            assertThat(whole(v2(0, 0x00, new byte[0])).relayed()).isFalse();
            assertThat(whole(v2(0, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2))).relayed()).isFalse();
        }

        @Test
        void udpAndUnixSocketsFallBackToTheConnectionsOwnAddresses() throws ProxyHeaderException {
            assertThat(whole(v2(1, 0x12, tcp4("192.0.2.7", 1, "198.51.100.1", 2))).relayed()).isFalse();
            assertThat(whole(v2(1, 0x31, new byte[216])).relayed()).isFalse();
            assertThat(whole(v2(1, 0x00, new byte[7])).relayed()).isFalse();
        }

        @Test
        void theSslTlvSaysWhetherTheClientUsedTls() throws ProxyHeaderException {
            byte[] ssl = concat(new byte[] {0x01, 0, 0, 0, 0},
                    tlv(0x21, ascii("TLSv1.3")), tlv(0x23, ascii("TLS_AES_256_GCM_SHA384")));
            byte[] header = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 995,
                    tlv(0x04, new byte[3]), tlv(0x20, ssl)));
            ProxyHeader parsed = byteByByte(header, header.length);
            assertThat(parsed.clientUsedTls()).isTrue();
            assertThat(parsed.tls().orElseThrow().protocol()).contains("TLSv1.3");
            assertThat(parsed.tls().orElseThrow().cipher()).contains("TLS_AES_256_GCM_SHA384");

            byte[] plain = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 995, tlv(0x20, new byte[5])));
            assertThat(whole(plain).clientUsedTls()).isFalse();
        }

        @Test
        void aCorrectChecksumIsAcceptedAndAWrongOneRefused() throws ProxyHeaderException {
            byte[] header = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2, tlv(0x03, new byte[4])));
            CRC32C crc = new CRC32C();
            crc.update(header);
            long value = crc.getValue();
            int at = header.length - 4;
            for (int i = 0; i < 4; i++) {
                header[at + i] = (byte) (value >> (24 - 8 * i));
            }
            assertThat(whole(header).relayed()).isTrue();
            header[16] ^= 1;
            assertThatThrownBy(() -> whole(header)).hasMessageContaining("CRC32C");
        }

        @Test
        void aTruncatedHeaderIsIncompleteNotAccepted() throws ProxyHeaderException {
            byte[] header = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2));
            ProxyHeaderParser parser = new ProxyHeaderParser();
            assertThat(parser.feed(ByteBuffer.wrap(header, 0, header.length - 1))).isNull();
            assertThat(parser.feed(ByteBuffer.wrap(header, header.length - 1, 1))).isNotNull();
        }

        @Test
        void aHeaderLongerThanTheCapIsRefusedAtItsLengthField() {
            byte[] start = Arrays.copyOf(SIGNATURE, 16);
            start[12] = 0x21;
            start[13] = 0x11;
            start[14] = (byte) 0xFF;
            start[15] = (byte) 0xFF;
            assertThatThrownBy(() -> byteByByte(start, -1)).hasMessageContaining("longer than");
        }

        @Test
        void theLargestAcceptedHeaderIsAccepted() throws ProxyHeaderException {
            int body = ProxyHeaderParser.MAX_V2_OCTETS - 16;
            byte[] filler = new byte[body - 12 - 3];
            byte[] header = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2, tlv(0x04, filler)));
            assertThat(header).hasSize(ProxyHeaderParser.MAX_V2_OCTETS);
            assertThat(byteByByte(header, header.length).relayed()).isTrue();
        }

        @Test
        void malformedHeadersAreRefused() {
            byte[] good = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2));
            byte[] badSignature = good.clone();
            badSignature[7] = 'X';
            byte[] version1 = good.clone();
            version1[12] = 0x11;
            byte[] command = good.clone();
            command[12] = 0x22;
            byte[] family = good.clone();
            family[13] = 0x41;
            byte[] transport = good.clone();
            transport[13] = 0x13;
            byte[] shortAddresses = v2(1, 0x11, new byte[11]);
            byte[] overflowingTlv = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2, new byte[] {0x04, 0, 9, 1}));
            byte[] truncatedTlv = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2, new byte[] {0x04, 0}));
            byte[] shortSsl = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2, tlv(0x20, new byte[4])));
            byte[] overflowingSub = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2,
                    tlv(0x20, new byte[] {1, 0, 0, 0, 0, 0x21, 0, 5, 'T'})));
            byte[] badCrcSize = v2(1, 0x11, tcp4("192.0.2.7", 1, "198.51.100.1", 2, tlv(0x03, new byte[3])));
            for (byte[] bad : new byte[][] {badSignature, version1, command, family, transport, shortAddresses,
                    overflowingTlv, truncatedTlv, shortSsl, overflowingSub, badCrcSize}) {
                assertThatThrownBy(() -> byteByByte(bad, -1)).isInstanceOf(ProxyHeaderException.class);
            }
        }
    }

    @Nested
    class Detection {
        @Test
        void aHeaderIsRecognisedFromItsSignature() {
            assertThat(ProxyHeaderParser.detect(ByteBuffer.wrap(ascii("PROXY TCP4")))).isEqualTo(
                    ProxyHeaderParser.Detection.HEADER);
            assertThat(ProxyHeaderParser.detect(ByteBuffer.wrap(SIGNATURE))).isEqualTo(
                    ProxyHeaderParser.Detection.HEADER);
        }

        @Test
        void aPrefixOfASignatureIsUndecided() {
            assertThat(ProxyHeaderParser.detect(ByteBuffer.wrap(ascii("PROX")))).isEqualTo(
                    ProxyHeaderParser.Detection.UNDECIDED);
            assertThat(ProxyHeaderParser.detect(ByteBuffer.wrap(SIGNATURE, 0, 11))).isEqualTo(
                    ProxyHeaderParser.Detection.UNDECIDED);
            assertThat(ProxyHeaderParser.detect(ByteBuffer.allocate(0))).isEqualTo(
                    ProxyHeaderParser.Detection.UNDECIDED);
        }

        @Test
        void commandsAndTlsAreNotHeaders() {
            for (String start : new String[] {"USER alice\r\n", "PASS", "PROXYX", "\r\nQUIT\r\n", "\u0016\u0003\u0001"}) {
                assertThat(ProxyHeaderParser.detect(ByteBuffer.wrap(ascii(start)))).as(start)
                        .isEqualTo(ProxyHeaderParser.Detection.NOT_HEADER);
            }
        }
    }
}
