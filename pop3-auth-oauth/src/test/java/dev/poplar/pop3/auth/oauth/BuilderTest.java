package dev.poplar.pop3.auth.oauth;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder fails at once, naming the setting. */
class BuilderTest {

    static final URI JWKS = URI.create("https://id.example.com/realms/mail/protocol/openid-connect/certs");

    JwtAuthenticator.Builder complete() {
        return JwtAuthenticator.builder().issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).jwksUrl(JWKS);
    }

    @Nested
    class Required {

        @Test
        void issuer() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().audience("a").jwksUrl(JWKS).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer");
        }

        @Test
        void audience() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().issuer("i").jwksUrl(JWKS).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("audience");
        }

        @Test
        void exactlyOneKeySource() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().issuer("i").audience("a").build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("jwksFile and jwksUrl");
            assertThatThrownBy(() -> complete().jwksFile(java.nio.file.Path.of("jwks.json")).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("jwksFile and jwksUrl");
        }

        @Test
        void aCompleteConfigurationBuildsWithoutContactingTheProvider() {
            JwtAuthenticator jwt = complete().requiredScope("mail.pop")
                    .openIdConfiguration(URI.create(Tokens.ISSUER + "/.well-known/openid-configuration")).build();
            assertThat(jwt.requiredScope()).contains("mail.pop");
            assertThat(jwt.openIdConfiguration()).contains(
                    URI.create(Tokens.ISSUER + "/.well-known/openid-configuration"));
        }
    }

    @Nested
    class Refused {

        @Test
        void blankValues() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().issuer(" "))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("issuer");
            assertThatThrownBy(() -> JwtAuthenticator.builder().audience())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audience");
            assertThatThrownBy(() -> JwtAuthenticator.builder().audience("a", ""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audience");
            assertThatThrownBy(() -> JwtAuthenticator.builder().mailboxClaim(""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mailboxClaim");
            assertThatThrownBy(() -> JwtAuthenticator.builder().issuer(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("issuer");
        }

        @Test
        void keysOverPlainHttpExceptFromLoopback() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl(URI.create("http://id.example.com/certs")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jwksUrl must be https");
            assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl(URI.create("http://cafe.de/certs")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jwksUrl");
            assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl(URI.create("ftp://id.example.com/certs")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jwksUrl");
            assertThatThrownBy(() -> JwtAuthenticator.builder().jwksUrl(URI.create("/certs")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jwksUrl");
            for (String loopback : new String[] {"http://127.0.0.1:8080/certs", "http://[::1]/certs",
                    "http://localhost/certs"}) {
                assertThat(JwtAuthenticator.builder().jwksUrl(URI.create(loopback))).isNotNull();
            }
        }

        @Test
        void anOpenIdConfigurationThatIsNotHttps() {
            assertThatThrownBy(() -> JwtAuthenticator.builder()
                    .openIdConfiguration(URI.create("http://id.example.com/.well-known/openid-configuration")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openIdConfiguration");
        }

        @Test
        void aScopeThatIsNotOneScopeToken() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().requiredScope("mail.pop openid"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requiredScope");
            assertThatThrownBy(() -> JwtAuthenticator.builder().requiredScope("mail\"pop"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requiredScope");
        }

        @Test
        void noAlgorithm() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().algorithms())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("algorithms");
        }

        @Test
        void durationsOutOfRange() {
            assertThatThrownBy(() -> JwtAuthenticator.builder().clockSkew(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clockSkew");
            assertThatThrownBy(() -> JwtAuthenticator.builder().clockSkew(Duration.ofHours(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clockSkew");
            assertThatThrownBy(() -> JwtAuthenticator.builder().clockSkew(Duration.ofMillis(1500)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clockSkew");
            assertThatThrownBy(() -> JwtAuthenticator.builder().fetchTimeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fetchTimeout");
            assertThatThrownBy(() -> JwtAuthenticator.builder().fetchTimeout(Duration.ofMinutes(2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fetchTimeout");
            assertThatThrownBy(() -> JwtAuthenticator.builder().refreshInterval(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refreshInterval");
            assertThatThrownBy(() -> JwtAuthenticator.builder().minRefreshInterval(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minRefreshInterval");
            assertThatThrownBy(() -> JwtAuthenticator.builder().maxKeyAge(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxKeyAge");
        }

        @Test
        void intervalsThatContradictEachOther() {
            assertThatThrownBy(() -> complete().refreshInterval(Duration.ofSeconds(10)).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("minRefreshInterval");
            assertThatThrownBy(() -> complete().maxKeyAge(Duration.ofMinutes(1)).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxKeyAge");
        }
    }
}
