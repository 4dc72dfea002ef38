package dev.poplar.pop3.server;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Access rules: first match decides, per listener, trusted networks, the text form. */
class AccessRulesTest {

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Nested
    class Deciding {
        @Test
        void withoutRulesEveryoneMayConnectAndNobodyIsTrusted() {
            AccessRules none = AccessRules.allowAll();
            assertThat(none.allows("pop3", ip("203.0.113.9"))).isTrue();
            assertThat(none.allows("pop3s", ip("2001:db8::1"))).isTrue();
            assertThat(none.trusts(ip("127.0.0.1"))).isFalse();
        }

        @Test
        void theFirstMatchingRuleDecidesAndUnmatchedAddressesAreAllowed() {
            AccessRules rules = AccessRules.builder().deny("192.0.2.66").allow("192.0.2.0/24")
                    .deny("198.51.100.0/24").build();
            assertThat(rules.allows("pop3", ip("192.0.2.66"))).isFalse();
            assertThat(rules.allows("pop3", ip("192.0.2.67"))).isTrue();
            assertThat(rules.allows("pop3", ip("198.51.100.1"))).isFalse();
            assertThat(rules.allows("pop3", ip("203.0.113.1"))).isTrue();
        }

        @Test
        void anAllowListEndsWithDenyAll() {
            AccessRules rules = AccessRules.builder().allow("10.0.0.0/8", "2001:db8::/32").deny("all").build();
            assertThat(rules.allows("pop3", ip("10.1.2.3"))).isTrue();
            assertThat(rules.allows("pop3", ip("2001:db8:5::1"))).isTrue();
            assertThat(rules.allows("pop3", ip("11.0.0.1"))).isFalse();
            assertThat(rules.allows("pop3", ip("2001:db9::1"))).isFalse();
        }

        @Test
        void rulesOnAListenerApplyToItAlone() {
            AccessRules rules = AccessRules.builder().allowOn("pop3", "127.0.0.0/8").denyOn("pop3", "all").build();
            assertThat(rules.allows("pop3", ip("127.0.0.1"))).isTrue();
            assertThat(rules.allows("pop3", ip("192.0.2.1"))).isFalse();
            assertThat(rules.allows("pop3s", ip("192.0.2.1"))).isTrue();
            assertThat(rules.listeners()).containsExactly("pop3");
        }

        @Test
        void trustedNetworksAreTrusted() {
            AccessRules rules = AccessRules.builder().trust("10.1.0.0/16", "fd00::/8").build();
            assertThat(rules.trusts(ip("10.1.200.3"))).isTrue();
            assertThat(rules.trusts(ip("fd12::1"))).isTrue();
            assertThat(rules.trusts(ip("10.2.0.1"))).isFalse();
            assertThat(rules.allows("pop3", ip("10.2.0.1"))).isTrue();
        }

        @Test
        void anIpv4ClientOnAnIpv6SocketMatchesIpv4Rules() throws Exception {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(ip("192.0.2.5").getAddress(), 0, mapped, 12, 4);
            InetAddress onV6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
            AccessRules rules = AccessRules.builder().deny("192.0.2.0/24").build();
            assertThat(rules.allows("pop3", onV6)).isFalse();
        }
    }

    @Nested
    class TextForm {
        @Test
        void parsesRulesCommentsAndListenersAndWritesThemBack() {
            AccessRules rules = AccessRules.parse(List.of(
                    "# the office only on the plain port",
                    "",
                    "ALLOW 192.0.2.0/24 on pop3",
                    "  deny all on pop3  ",
                    "deny 203.0.113.0/24",
                    "trust 192.0.2.0/24"));
            assertThat(rules.allows("pop3", ip("192.0.2.9"))).isTrue();
            assertThat(rules.allows("pop3", ip("198.51.100.1"))).isFalse();
            assertThat(rules.allows("pop3s", ip("198.51.100.1"))).isTrue();
            assertThat(rules.allows("pop3s", ip("203.0.113.1"))).isFalse();
            assertThat(rules.trusts(ip("192.0.2.200"))).isTrue();
            assertThat(rules.lines()).containsExactly("allow 192.0.2.0/24 on pop3", "deny all on pop3",
                    "deny 203.0.113.0/24", "trust 192.0.2.0/24");
            assertThat(AccessRules.parse(rules.lines()).lines()).isEqualTo(rules.lines());
        }

        @Test
        void aBadLineIsRefusedNamingItsNumber() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> AccessRules.parse(List.of("allow 10.0.0.0/8", "permit 10.0.0.0/8")))
                    .withMessageContaining("line 2").withMessageContaining("allow, deny or trust");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> AccessRules.parse(List.of("deny 10.0.0.0/33")))
                    .withMessageContaining("line 1").withMessageContaining("10.0.0.0/33");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> AccessRules.parse(List.of("deny mail.example.com")))
                    .withMessageContaining("not a network");
            assertThatIllegalArgumentException().isThrownBy(() -> AccessRules.parse(List.of("deny")))
                    .withMessageContaining("at least one network");
            assertThatIllegalArgumentException().isThrownBy(() -> AccessRules.parse(List.of("trust all on pop3")))
                    .withMessageContaining("every listener");
            assertThatIllegalArgumentException().isThrownBy(() -> AccessRules.parse(List.of("deny all 10.0.0.0/8")))
                    .withMessageContaining("stands alone");
        }
    }
}
