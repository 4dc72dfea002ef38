package dev.poplar.pop3.server.internal.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void anIpv4BlockContainsItsAddressesOnly() throws UnknownHostException {
        Cidr block = Cidr.parse("10.1.0.0/17");
        assertThat(block.contains(ip("10.1.0.1"))).isTrue();
        assertThat(block.contains(ip("10.1.127.255"))).isTrue();
        assertThat(block.contains(ip("10.1.128.0"))).isFalse();
        assertThat(block.contains(ip("11.1.0.1"))).isFalse();
    }

    @Test
    void aSingleAddressIsABlockOfOne() throws UnknownHostException {
        assertThat(Cidr.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
    }

    @Test
    void ipv6BlocksNeverContainIpv4AddressesNorTheOtherWayRound() throws UnknownHostException {
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("::/0").contains(ip("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "10.0.0.1/8", "10.0.0/8", "10.0.0.0/", "10.0.0.0/08", "example.org",
        "fe80::1%eth0", "2001:db8::/129", "10.0.0.0/-1"})
    void malformedBlocksAreRefusedNamingThem(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
