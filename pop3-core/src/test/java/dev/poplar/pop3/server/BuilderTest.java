package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.time.Duration;

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
    void tlsSettingsAreAcceptedWithAContext() throws Exception {
        SSLContext context = SSLContext.getDefault();
        assertThatNoException().isThrownBy(() -> valid().tls(context).clientAuth(ClientAuth.WANT)
                .plaintextAuth(PlaintextAuth.REQUIRE_TLS).listener(Listener.implicitTls("127.0.0.1", 0)).build());
    }
}
