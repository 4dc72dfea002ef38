package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.poplar.pop3.auth.AuthResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.poplar.pop3.auth.oauth.JwtAuthenticatorTest.assertRejected;
import static dev.poplar.pop3.auth.oauth.JwtAuthenticatorTest.check;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys from a real JWKS endpoint over HTTP: caching, rotation, and a provider that is down or hangs. */
class JwksUrlTest {

    static final RSAKey OLD = TestKeys.rsa("2025-rsa");
    static final ECKey NEW = TestKeys.ec("2026-ec");

    final MutableClock clock = new MutableClock();
    final JwksServer provider = new JwksServer(OLD);

    @AfterEach
    void stopProvider() {
        provider.close();
    }

    JwtAuthenticator.Builder builder(URI jwksUrl) {
        return JwtAuthenticator.builder().issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).jwksUrl(jwksUrl)
                .clock(clock).refreshInterval(Duration.ofMinutes(10)).minRefreshInterval(Duration.ofSeconds(30))
                .maxKeyAge(Duration.ofHours(1)).fetchTimeout(Duration.ofSeconds(10));
    }

    String tokenSignedWith(com.nimbusds.jose.jwk.JWK key) {
        return Tokens.token(clock).signedWith(key);
    }

    static void assertUnavailable(AuthResult result, String token, String why) {
        assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
        assertThat(((AuthResult.Unavailable) result).reason()).contains(why).doesNotContain(token);
    }

    @Nested
    class Caching {

        @Test
        void buildingFetchesNothingAndTheFirstLoginFetchesOnce() {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            assertThat(provider.requests()).isZero();
            for (int i = 0; i < 50; i++) {
                assertThat(check(jwt, "alice@example.com", tokenSignedWith(OLD)))
                        .isEqualTo(AuthResult.accept("alice@example.com"));
            }
            assertThat(provider.requests()).as("cached keys verify without the network").isEqualTo(1);
        }

        @Test
        void concurrentFirstLoginsShareOneFetch() throws Exception {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            String token = tokenSignedWith(OLD);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<AuthResult>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return check(jwt, "", token);
                    }));
                }
                start.countDown();
                for (Future<AuthResult> result : results) {
                    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(AuthResult.accept("alice@example.com"));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        void keysAreFetchedAgainAfterTheRefreshInterval() {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
            clock.advance(Duration.ofMinutes(9));
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
            assertThat(provider.requests()).isEqualTo(1);
            clock.advance(Duration.ofMinutes(2));
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
            assertThat(provider.requests()).isEqualTo(2);
        }
    }

    @Nested
    class Rotation {

        @Test
        void aTokenSignedWithANewlyPublishedKeyIsAcceptedAtOnce() {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
            clock.advance(Duration.ofSeconds(31));
            provider.serve(OLD, NEW);
            assertThat(check(jwt, "", tokenSignedWith(NEW))).isEqualTo(AuthResult.accept("alice@example.com"));
            assertThat(provider.requests()).as("the unknown kid triggered one fetch").isEqualTo(2);
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void aKeyRemovedByTheProviderIsRefusedAfterTheNextRefresh() {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            String old = tokenSignedWith(OLD);
            assertThat(check(jwt, "", old)).isInstanceOf(AuthResult.Accepted.class);
            provider.serve(NEW);
            clock.advance(Duration.ofMinutes(10));
            String stillValid = tokenSignedWith(OLD);
            assertRejected(check(jwt, "", stillValid), stillValid, "no matching key");
            assertThat(check(jwt, "", tokenSignedWith(NEW))).isInstanceOf(AuthResult.Accepted.class);
            assertThat(provider.requests()).isEqualTo(2);
        }

        @Test
        void unknownKeyIdsCannotMakeTheServerHammerTheProvider() {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
            clock.advance(Duration.ofSeconds(31));
            for (int i = 0; i < 20; i++) {
                String forged = tokenSignedWith(TestKeys.ec("forged-" + i));
                assertRejected(check(jwt, "", forged), forged, "no matching key");
            }
            assertThat(provider.requests()).as("one fetch for the first unknown kid, none within 30 s after")
                    .isEqualTo(2);
            clock.advance(Duration.ofSeconds(30));
            provider.serve(OLD, NEW);
            assertThat(check(jwt, "", tokenSignedWith(NEW))).isInstanceOf(AuthResult.Accepted.class);
            assertThat(provider.requests()).isEqualTo(3);
        }
    }

    @Nested
    class ProviderTrouble {

        @Test
        void aProviderThatHangsGivesUnavailableWithinTheTimeLimit() {
            provider.hang();
            JwtAuthenticator jwt = builder(provider.uri()).fetchTimeout(Duration.ofMillis(800)).build();
            String token = tokenSignedWith(OLD);
            long started = System.nanoTime();
            AuthResult result = check(jwt, "", token);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            // Either the deadline of the whole answer or the HTTP client's own request timeout (800 ms too) ends it.
            assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
            assertThat(((AuthResult.Unavailable) result).reason()).doesNotContain(token)
                    .containsAnyOf("no complete answer within 800 ms", "request timed out");
            assertThat(took).isBetween(Duration.ofMillis(750), Duration.ofSeconds(5));
            assertThat(provider.requests()).isEqualTo(1);
        }

        @Test
        void aProviderThatIsDownGivesUnavailableAtOnce() throws IOException {
            URI down;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                down = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/jwks");
            }
            JwtAuthenticator jwt = builder(down).build();
            String token = tokenSignedWith(OLD);
            assertUnavailable(check(jwt, "", token), token, "cannot connect");
            long started = System.nanoTime();
            assertUnavailable(check(jwt, "", token), token, "no keys from " + down + ": cannot connect");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no new attempt within minRefreshInterval")
                    .isLessThan(Duration.ofSeconds(1));
        }

        @Test
        void aProviderAnsweringWithAnErrorGivesUnavailableUntilItRecovers() {
            provider.fail(503);
            JwtAuthenticator jwt = builder(provider.uri()).build();
            String token = tokenSignedWith(OLD);
            assertUnavailable(check(jwt, "", token), token, "HTTP status 503");
            assertUnavailable(check(jwt, "", token), token, "HTTP status 503");
            assertThat(provider.requests()).as("asked again only after minRefreshInterval").isEqualTo(1);
            provider.serve(OLD);
            clock.advance(Duration.ofSeconds(30));
            assertThat(check(jwt, "", token)).isInstanceOf(AuthResult.Accepted.class);
            assertThat(provider.requests()).isEqualTo(2);
        }

        /**
         * A redirect is not followed: its target would escape the checks made on the configured URL (here plain http
         * to a loopback sidecar, which could send the fetch in clear to another host).
         */
        @Test
        void aRedirectIsNotFollowed() {
            try (JwksServer elsewhere = new JwksServer(OLD)) {
                provider.redirect(elsewhere.uri());
                JwtAuthenticator jwt = builder(provider.uri()).build();
                String token = tokenSignedWith(OLD);
                assertUnavailable(check(jwt, "", token), token, "a redirect to " + elsewhere.uri());
                assertThat(elsewhere.requests()).as("the redirect's target").isZero();
            }
        }

        @Test
        void cachedKeysOutliveAnOutageUpToTheMaximumKeyAge() {
            JwtAuthenticator jwt = builder(provider.uri()).build();
            assertThat(check(jwt, "", tokenSignedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
            provider.fail(500);
            clock.advance(Duration.ofMinutes(30));
            assertThat(check(jwt, "", tokenSignedWith(OLD))).as("refresh fails, cached key still good")
                    .isInstanceOf(AuthResult.Accepted.class);
            String fromNewKey = tokenSignedWith(NEW);
            clock.advance(Duration.ofSeconds(30));
            assertUnavailable(check(jwt, "", fromNewKey), fromNewKey, "not among those cached");
            clock.advance(Duration.ofMinutes(30));
            String token = tokenSignedWith(OLD);
            assertUnavailable(check(jwt, "", token), token, "longer ago than maxKeyAge");
        }

        static Stream<Arguments> answersThatAreNoKeySet() {
            return Stream.of(
                    Arguments.of("<html>Sign in</html>", "not a JWK set"),
                    Arguments.of("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}",
                            "no public key"),
                    Arguments.of("{\"keys\":[" + " ".repeat(2 * 1024 * 1024) + "]}", "larger than 1048576 bytes"));
        }

        @ParameterizedTest(name = "{1}")
        @MethodSource("answersThatAreNoKeySet")
        void anAnswerThatIsNoUsableKeySetGivesUnavailable(String body, String why) {
            provider.serveBody(body);
            JwtAuthenticator jwt = builder(provider.uri()).build();
            String token = tokenSignedWith(OLD);
            assertUnavailable(check(jwt, "", token), token, why);
        }
    }
}
