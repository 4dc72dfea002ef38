package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class JwtAuthenticatorTest {

    static final ClientInfo CLIENT = new ClientInfo("s-1", "default", new InetSocketAddress("127.0.0.1", 40000),
            new InetSocketAddress("127.0.0.1", 995), true, List.of());
    static final RSAKey RSA = TestKeys.rsa("rsa-1");
    static final ECKey EC = TestKeys.ec("ec-1");
    /** A key the provider never published. */
    static final RSAKey STRANGER = TestKeys.rsa("rsa-1");

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock();
    Path jwks;
    JwtAuthenticator jwt;

    @BeforeEach
    void publishKeys() {
        jwks = dir.resolve("jwks.json");
        TestKeys.writeJwks(jwks, RSA, EC);
        jwt = builder().build();
    }

    JwtAuthenticator.Builder builder() {
        return JwtAuthenticator.builder().issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).jwksFile(jwks).clock(clock);
    }

    Tokens token() {
        return Tokens.token(clock);
    }

    static Credentials.Bearer bearer(String user, String token) {
        return new Credentials.Bearer(user, token, "OAUTHBEARER");
    }

    static AuthResult check(JwtAuthenticator authenticator, String user, String token) {
        return authenticator.authenticate(bearer(user, token), CLIENT);
    }

    AuthResult check(String user, String token) {
        return check(jwt, user, token);
    }

    /** Asserts a rejection whose reason says why and does not give the token away. */
    static void assertRejected(AuthResult result, String token, String why) {
        assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        String reason = ((AuthResult.Rejected) result).reason();
        assertThat(reason).containsIgnoringCase(why).doesNotContain(token);
        for (String part : token.split("\\.")) {
            if (part.length() >= 8) {
                assertThat(reason).doesNotContain(part);
            }
        }
    }

    @Nested
    class Accepting {

        @Test
        void anRs256TokenOpensTheMailboxItsSubjectNames() {
            assertThat(check("alice@example.com", token().signedWith(RSA)))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
        }

        @Test
        void anEs256TokenIsAcceptedToo() {
            assertThat(check("alice@example.com", token().signedWith(EC)))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
        }

        @Test
        void oauthbearerWithoutAUserTakesTheUserFromTheToken() {
            assertThat(check("", token().subject("bob@example.com").signedWith(RSA)))
                    .isEqualTo(AuthResult.accept("bob@example.com"));
        }

        @Test
        void xoauth2CredentialsAreVerifiedAlike() {
            String token = token().signedWith(RSA);
            assertThat(jwt.authenticate(new Credentials.Bearer("alice@example.com", token, "XOAUTH2"), CLIENT))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
        }

        @Test
        void theNamedUserMayDifferInCaseButTheMailboxComesFromTheToken() {
            assertThat(check("Alice@Example.COM", token().signedWith(RSA)))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
        }

        @Test
        void aTokenWithoutKeyIdIsCheckedAgainstEveryKeyOfItsType() {
            assertThat(check("", token().withoutKeyId().signedWith(RSA)))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
            assertThat(check("", token().withoutKeyId().signedWith(EC)))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
        }

        @Test
        void rfc9068AccessTokenTypeIsAccepted() {
            assertThat(check("", token().type(new JOSEObjectType("at+jwt")).signedWith(RSA)))
                    .isEqualTo(AuthResult.accept("alice@example.com"));
        }

        @Test
        void oneOfSeveralAudiencesIsEnough() {
            assertThat(check("", token().audience("another-api", Tokens.AUDIENCE).signedWith(RSA)))
                    .isInstanceOf(AuthResult.Accepted.class);
            JwtAuthenticator two = builder().audience("second-audience").build();
            assertThat(check(two, "", token().audience("second-audience").signedWith(RSA)))
                    .isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void anExpiredTokenWithinTheClockSkewPasses() {
            String token = token().expiresIn(Duration.ofSeconds(-30)).signedWith(RSA);
            assertThat(check("", token)).isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void theMailboxMayComeFromAnotherClaimThroughAMapping() {
            JwtAuthenticator byEmail = builder().mailboxClaim("email")
                    .mailboxMapping(email -> email.endsWith("@example.com")
                            ? Optional.of(email.substring(0, email.indexOf('@')).toLowerCase(Locale.ROOT))
                            : Optional.empty())
                    .build();
            String token = token().subject("f81d4fae-7dec-11d0").claim("email", "Alice@example.com")
                    .claim("email_verified", true).signedWith(RSA);
            assertThat(check(byEmail, "alice@example.com", token)).isEqualTo(AuthResult.accept("alice"));
            assertThat(check(byEmail, "alice", token)).isEqualTo(AuthResult.accept("alice"));
            assertThat(byEmail.mailboxClaim()).isEqualTo("email");
        }

        @Test
        void theRequiredScopeIsFoundInScopeOrScp() {
            JwtAuthenticator scoped = builder().requiredScope("mail.pop").build();
            assertThat(check(scoped, "", token().claim("scope", "openid mail.pop offline_access").signedWith(RSA)))
                    .isInstanceOf(AuthResult.Accepted.class);
            assertThat(check(scoped, "", token().claim("scp", List.of("mail.read", "mail.pop")).signedWith(EC)))
                    .isInstanceOf(AuthResult.Accepted.class);
            assertThat(check(scoped, "", token().claim("scp", "mail.pop").signedWith(EC)))
                    .isInstanceOf(AuthResult.Accepted.class);
        }
    }

    @Nested
    class Rejecting {

        @Test
        void anExpiredToken() {
            String token = token().expiresIn(Duration.ofSeconds(-61)).signedWith(RSA);
            assertRejected(check("", token), token, "expired");
        }

        @Test
        void aTokenThatExpiresWhileTheClockMoves() {
            String token = token().expiresIn(Duration.ofMinutes(5)).signedWith(RSA);
            assertThat(check("", token)).isInstanceOf(AuthResult.Accepted.class);
            clock.advance(Duration.ofMinutes(7));
            assertRejected(check("", token), token, "expired");
        }

        @Test
        void aTokenNotYetValid() {
            String token = token().notBefore(Duration.ofMinutes(5)).signedWith(RSA);
            assertRejected(check("", token), token, "before use time");
            clock.advance(Duration.ofSeconds(250));
            assertThat(check("", token)).as("within the clock skew").isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void aTokenWithoutExpiry() {
            String token = token().without("exp").signedWith(RSA);
            assertRejected(check("", token), token, "exp");
        }

        @Test
        void aTokenFromAnotherIssuer() {
            String token = token().issuer("https://evil.example.net").signedWith(RSA);
            assertRejected(check("", token), token, "iss");
        }

        @Test
        void aTokenForAnotherAudience() {
            String token = token().audience("another-api").signedWith(RSA);
            assertRejected(check("", token), token, "aud claim rejected");
            assertThat(((AuthResult.Rejected) check("", token)).reason())
                    .contains("another-api", "accepted [" + Tokens.AUDIENCE + "]");
        }

        @Test
        void aTokenWithoutAudience() {
            String token = token().without("aud").signedWith(RSA);
            assertRejected(check("", token), token, "aud");
        }

        @Test
        void aTokenSignedWithAnAlgorithmNotAllowed() {
            JwtAuthenticator ecOnly = builder().algorithms(SignatureAlgorithm.ES256).build();
            String token = token().signedWith(RSA);
            assertRejected(check(ecOnly, "", token), token, "algorithm RS256 is not allowed");
            assertThat(check(ecOnly, "", token().signedWith(EC))).isInstanceOf(AuthResult.Accepted.class);
        }

        @Test
        void aTokenWhoseAlgorithmDoesNotFitItsKey() {
            String token = token().algorithm(JWSAlgorithm.PS256).signedWith(RSA);
            assertRejected(check("", token), token, "no matching key");
        }

        @Test
        void anUnsignedTokenWithAlgNone() {
            String token = new PlainJWT(token().claims()).serialize();
            assertRejected(check("alice@example.com", token), token, "alg none");
        }

        @Test
        void anHmacTokenKeyedWithThePublishedPublicKey() throws JOSEException {
            // The classic confusion attack: the RSA public key, which anyone can download, used as an HMAC secret.
            for (byte[] secret : List.of(RSA.toPublicKey().getEncoded(),
                    RSA.toPublicJWK().toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                        token().claims());
                forged.sign(new MACSigner(secret));
                String token = forged.serialize();
                assertRejected(check("alice@example.com", token), token, "algorithm HS256 is not allowed");
            }
        }

        @Test
        void aTokenWithATamperedSignature() {
            String token = token().signedWith(RSA);
            int at = token.lastIndexOf('.') + 10;
            String tampered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
            assertRejected(check("", tampered), tampered, "signature");
        }

        @Test
        void aTokenWhoseClaimsWereChangedAfterSigning() {
            String token = token().signedWith(RSA);
            String[] parts = token.split("\\.");
            String forgedClaims = Base64URL.encode(token().subject("mallory@example.com").claims().toString())
                    .toString();
            String forged = parts[0] + "." + forgedClaims + "." + parts[2];
            assertRejected(check("", forged), forged, "signature");
        }

        @Test
        void aTokenSignedWithAKeyTheProviderNeverPublished() {
            String token = token().signedWith(STRANGER);
            assertRejected(check("", token), token, "signature");
        }

        @Test
        void aTokenWithAnUnknownKeyId() {
            String token = token().signedWith(TestKeys.ec("unknown"));
            assertRejected(check("", token), token, "no matching key");
        }

        @Test
        void aTokenWithoutTheMailboxClaim() {
            String token = token().without("sub").signedWith(RSA);
            assertRejected(check("", token), token, "no sub claim");
        }

        @Test
        void aTokenWhoseMailboxClaimIsNotAString() {
            JwtAuthenticator byEmail = builder().mailboxClaim("email").build();
            String token = token().claim("email", List.of("a@example.com", "b@example.com")).signedWith(RSA);
            assertRejected(check(byEmail, "", token), token, "no email claim as a string");
        }

        @Test
        void aTokenForAnotherUserThanTheClientNamed() {
            String token = token().subject("bob@example.com").signedWith(RSA);
            AuthResult result = check("alice@example.com", token);
            assertRejected(result, token, "issued for sub bob@example.com");
            assertThat(((AuthResult.Rejected) result).reason()).contains("alice@example.com");
        }

        @Test
        void aTokenWithoutTheRequiredScope() {
            JwtAuthenticator scoped = builder().requiredScope("mail.pop").build();
            String token = token().claim("scope", "openid mail.pop.read").signedWith(RSA);
            assertRejected(check(scoped, "", token), token, "insufficient scope");
            String unscoped = token().signedWith(RSA);
            assertRejected(check(scoped, "", unscoped), unscoped, "insufficient scope");
        }

        @Test
        void anEmailTheProviderSaysIsNotVerified() {
            JwtAuthenticator byEmail = builder().mailboxClaim("email").build();
            String token = token().claim("email", "alice@example.com").claim("email_verified", false)
                    .signedWith(RSA);
            assertRejected(check(byEmail, "", token), token, "not verified");
            String asText = token().claim("email", "alice@example.com").claim("email_verified", "false")
                    .signedWith(RSA);
            assertRejected(check(byEmail, "", asText), asText, "not verified");
        }

        @Test
        void aUserTheMappingHasNoMailboxFor() {
            JwtAuthenticator mapped = builder().mailboxMapping(user -> Optional.empty()).build();
            String token = token().signedWith(RSA);
            assertRejected(check(mapped, "", token), token, "no mailbox for sub alice@example.com");
        }

        @Test
        void aTokenOfAnotherTypeThanAnAccessToken() {
            String token = token().type(new JOSEObjectType("logout+jwt")).signedWith(RSA);
            assertRejected(check("", token), token, "type");
        }

        @Test
        void somethingThatIsNotAJwt() {
            for (String token : List.of("ya29.a0AfH6SMBx-opaque-google-style-token", "not a token at all",
                    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", "....")) {
                assertRejected(check("", token), token, "not a JWT");
            }
            assertThat(check("", " ")).isEqualTo(AuthResult.reject("bearer token: empty"));
        }

        @Test
        void aHugeTokenBeforeParsingIt() {
            String token = "e".repeat(100_000);
            assertRejected(check("", token), token, "longer than");
        }

        @Test
        void passwordsAndOtherCredentials() {
            assertThat(jwt.supports(Credentials.Bearer.class)).isTrue();
            assertThat(jwt.supports(Credentials.Password.class)).isFalse();
            assertThat(jwt.supports(Credentials.Scram.class)).isFalse();
            assertThat(jwt.mayBlock()).isTrue();
            // A valid token typed as a password is still a password.
            AuthResult result = jwt.authenticate(new Credentials.Password("alice@example.com",
                    token().signedWith(RSA)), CLIENT);
            assertThat(result).isInstanceOf(AuthResult.Rejected.class);
            assertThat(((AuthResult.Rejected) result).reason()).contains("accepts no Password credentials");
        }
    }

    @Nested
    class Reasons {

        @Test
        void controlCharactersFromTheClientDoNotReachTheLogAsSuch() {
            String token = token().subject("bob@example.com").signedWith(RSA);
            AuthResult result = check("alice\r\nFAKE LOG LINE", token);
            assertThat(((AuthResult.Rejected) result).reason()).doesNotContain("\r", "\n").contains("FAKE LOG LINE");
        }

        @Test
        void credentialsNeverShowTheToken() {
            String token = token().signedWith(RSA);
            assertThat(bearer("alice", token).toString()).doesNotContain(token);
        }

        @Test
        void theAuthenticatorDescribesItsConfigurationWithoutSecrets() {
            assertThat(jwt.toString()).contains(Tokens.ISSUER, Tokens.AUDIENCE, jwks.toString());
            assertThat(jwt.issuer()).isEqualTo(Tokens.ISSUER);
            assertThat(jwt.audiences()).containsExactly(Tokens.AUDIENCE);
            assertThat(jwt.mailboxClaim()).isEqualTo("sub");
            assertThat(jwt.requiredScope()).isEmpty();
            assertThat(jwt.openIdConfiguration()).isEmpty();
        }
    }
}
