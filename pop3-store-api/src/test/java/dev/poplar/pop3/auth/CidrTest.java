package dev.poplar.pop3.auth;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void anIpv4NetworkHoldsItsAddressesOnly() throws Exception {
        Cidr network = Cidr.parse("192.0.2.0/24");
        assertThat(network.contains(address("192.0.2.0"))).isTrue();
        assertThat(network.contains(address("192.0.2.255"))).isTrue();
        assertThat(network.contains(address("192.0.3.0"))).isFalse();
        assertThat(network.contains(address("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3/8").contains(address("10.255.0.1"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(address("203.0.113.9"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(address("192.0.2.7"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(address("192.0.2.6"))).isFalse();
        assertThat(Cidr.parse("192.0.2.128/25").contains(address("192.0.2.127"))).isFalse();
    }

    @Test
    void anIpv6NetworkHoldsItsAddressesAndAnIpv4ClientOnAnIpv6SocketIsMatchedAsIpv4() throws Exception {
        Cidr network = Cidr.parse("2001:db8::/32");
        assertThat(network.contains(address("2001:db8:ffff::1"))).isTrue();
        assertThat(network.contains(address("2001:db9::1"))).isFalse();
        assertThat(network.contains(address("192.0.2.1"))).isFalse();
        assertThat(Cidr.parse("::1").contains(address("::1"))).isTrue();

        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[14] = 2;
        mapped[15] = 9;
        InetAddress v4OnV6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(Cidr.parse("192.0.2.0/24").contains(v4OnV6)).isTrue();
        assertThat(Cidr.parse("198.51.100.0/24").contains(v4OnV6)).isFalse();
    }

    @Test
    void networksAreWrittenCanonicallyWithHostBitsCleared() {
        assertThat(Cidr.parse("192.0.2.77/24")).hasToString("192.0.2.0/24");
        assertThat(Cidr.parse("2001:DB8:0:0::5/32")).hasToString("2001:db8:0:0:0:0:0:0/32");
        assertThat(Cidr.parse("192.0.2.7")).hasToString("192.0.2.7/32");
        assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parse("10.9.9.9/8"));
    }

    @Test
    void anythingButAnAddressLiteralWithAPrefixInRangeIsRefusedWithoutAskingDns() {
        for (String bad : new String[] {"example.com", "localhost", "10.0.0.0/33", "2001:db8::/129", "10.0.0/8",
                "256.1.1.1", "10.0.0.0/", "10.0.0.0/-1", "fe80::1%eth0", "::ffff:192.0.2.1/120", "", "/8",
                "1.2.3.4/8/8", ".::1"}) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a network");
        }
    }
}
