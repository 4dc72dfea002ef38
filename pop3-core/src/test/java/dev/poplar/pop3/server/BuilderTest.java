package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class BuilderTest {

    static Pop3Server.Builder valid() {
        return Pop3Server.builder().store(new InMemoryMailboxStore()).authenticator(Authenticator.rejectAll());
    }

    @Test
    void storeAndAuthenticatorAreRequired() {
        assertThatIllegalStateException().isThrownBy(() -> Pop3Server.builder().build())
                .withMessageStartingWith("store:");
        assertThatIllegalStateException().isThrownBy(
                () -> Pop3Server.builder().store(new InMemoryMailboxStore()).build())
                .withMessageStartingWith("authenticator:");
        assertThatNoException().isThrownBy(() -> valid().build());
    }

    @Test
    void theIdleTimeoutAfterLoginCannotBeShorterThanRfc1939Allows() {
        assertThatIllegalStateException().isThrownBy(() -> valid().idleTimeout(Duration.ofMinutes(9)).build())
                .withMessageContaining("idleTimeout").withMessageContaining("RFC 1939");
    }

    @Test
    void crossFieldContradictionsNameTheSettings() {
        assertThatIllegalStateException().isThrownBy(() -> valid().listener(Listener.implicitTls("127.0.0.1", 0))
                .build()).withMessageContaining("implicit TLS").withMessageContaining("tls(");
        assertThatIllegalStateException().isThrownBy(() -> valid().clientAuth(ClientAuth.NEED).build())
                .withMessageContaining("clientAuth");
        assertThatIllegalStateException().isThrownBy(() -> valid().plaintextAuth(PlaintextAuth.REQUIRE_TLS).build())
                .withMessageContaining("REQUIRE_TLS");
        assertThatIllegalStateException().isThrownBy(() -> valid().authorizationTimeout(Duration.ofMinutes(11))
                .build()).withMessageContaining("authorizationTimeout");
        assertThatIllegalStateException().isThrownBy(() -> valid().maxSaslResponseLength(100).build())
                .withMessageContaining("maxSaslResponseLength");
        assertThatIllegalStateException().isThrownBy(() -> valid().authFailureDelay(Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofMinutes(1)).build()).withMessageContaining("authFailureDelay");
    }

    @Test
    void valuesOutOfRangeNameTheSetting() {
        assertThatIllegalStateException().isThrownBy(() -> valid().maxConnections(0).build())
                .withMessageContaining("maxConnections");
        assertThatIllegalStateException().isThrownBy(() -> valid().maxCommandLength(10).build())
                .withMessageContaining("maxCommandLength");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> Expire.days(-1))
                .withMessageContaining("expire");
        assertThatIllegalStateException().isThrownBy(() -> valid().loginTimeout(Duration.ofSeconds(5)).build())
                .withMessageContaining("loginTimeout");
        assertThatIllegalStateException().isThrownBy(() -> valid().listener(Listener.plain("127.0.0.1", 0))
                        .listener(Listener.plain("127.0.0.1", 0)).build())
                .withMessageContaining("listener name 'pop3' is used twice");
        assertThatIllegalStateException().isThrownBy(() -> valid().serverName("bad\r\nname").build())
                .withMessageContaining("serverName");
        assertThatIllegalStateException().isThrownBy(() -> valid().workerThreads(0).build())
                .withMessageContaining("workerThreads");
    }

    @Test
    void socketOptionsOutOfRangeNameTheSetting() {
        assertThatIllegalStateException().isThrownBy(() -> valid().backlog(0).build())
                .withMessageContaining("backlog must be 1 to 65535: 0");
        assertThatIllegalStateException().isThrownBy(() -> valid().receiveBufferSize(100).build())
                .withMessageContaining("receiveBufferSize").withMessageContaining("system default");
        assertThatIllegalStateException().isThrownBy(() -> valid().sendBufferSize(128 * 1024 * 1024).build())
                .withMessageContaining("sendBufferSize");
        assertThatNoException().isThrownBy(() -> valid().tcpKeepAlive(false).backlog(1024)
                .receiveBufferSize(1 << 20).sendBufferSize(0).build());
    }

    @Test
    void proxyProtocolSettingsAreChecked() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> ProxyProtocol.builder().trust("10.0.0.0/33"))
                .withMessageContaining("proxyProtocol trust").withMessageContaining("'10.0.0.0/33'");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> ProxyProtocol.builder().trust("balancer.example.org"))
                .withMessageContaining("balancer.example.org");
        assertThatIllegalStateException().isThrownBy(() -> ProxyProtocol.builder().build())
                .withMessageContaining("trust(");
        assertThatIllegalStateException().isThrownBy(() -> ProxyProtocol.builder().trust("10.0.0.1")
                .headerTimeout(Duration.ofMillis(500)).build()).withMessageContaining("headerTimeout");
        ProxyProtocol proxy = ProxyProtocol.builder().trust("10.0.0.0/8").trust(" fd00::/8 ").build();
        assertThat(proxy.trustedSources()).containsExactly("10.0.0.0/8", "fd00::/8");
        Listener listener = Listener.plain("127.0.0.1", 0).behindProxy(proxy).named("edge");
        assertThat(listener.proxyProtocol()).contains(proxy);
        assertThatNoException().isThrownBy(() -> valid().listener(listener).build());
    }

    @Test
    void tlsSettingsAreAcceptedWithAContext() throws Exception {
        SSLContext context = SSLContext.getDefault();
        assertThatNoException().isThrownBy(() -> valid().tls(context).clientAuth(ClientAuth.WANT)
                .plaintextAuth(PlaintextAuth.REQUIRE_TLS).listener(Listener.implicitTls("127.0.0.1", 0)).build());
    }
}
