package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.jwk.RSAKey;
import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.poplar.pop3.auth.oauth.JwtAuthenticatorTest.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorsTest {

    static final RSAKey KEY = TestKeys.rsa("k1");

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock();
    final Authenticator passwords = Authenticator.fromMap(Map.of("alice@example.com", "s3cret"));
    JwtAuthenticator jwt;
    Authenticator both;

    @BeforeEach
    void combine() {
        Path jwks = dir.resolve("jwks.json");
        TestKeys.writeJwks(jwks, KEY);
        jwt = JwtAuthenticator.builder().issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).jwksFile(jwks).clock(clock)
                .build();
        both = Authenticators.firstSupporting(jwt, passwords);
    }

    @Test
    void tokensGoToTheJwtAuthenticatorAndPasswordsToTheOther() {
        assertThat(both.authenticate(new Credentials.Bearer("alice@example.com", Tokens.token(clock).signedWith(KEY),
                "XOAUTH2"), CLIENT)).isEqualTo(AuthResult.accept("alice@example.com"));
        assertThat(both.authenticate(new Credentials.Password("alice@example.com", "s3cret"), CLIENT))
                .isEqualTo(AuthResult.accept("alice@example.com"));
        assertThat(both.authenticate(new Credentials.Password("alice@example.com", "wrong"), CLIENT))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void onlyTheFirstSupportingAuthenticatorDecides() {
        Authenticator acceptsAnything = (credentials, client) -> AuthResult.accept("anyone");
        Authenticator combined = Authenticators.firstSupporting(passwords, acceptsAnything);
        assertThat(combined.authenticate(new Credentials.Password("alice@example.com", "wrong"), CLIENT))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void itSupportsWhatAnyOfThemSupports() {
        assertThat(both.supports(Credentials.Bearer.class)).isTrue();
        assertThat(both.supports(Credentials.Password.class)).isTrue();
        assertThat(both.supports(Credentials.Apop.class)).isTrue();
        assertThat(both.supports(Credentials.Scram.class)).isTrue();
        assertThat(both.supports(Credentials.External.class)).isFalse();
        assertThat(both.mayBlock()).isTrue();
        assertThat(Authenticators.firstSupporting(passwords, Authenticator.rejectAll()).mayBlock()).isFalse();
    }

    @Test
    void credentialsNoneSupportsAreRejected() {
        Authenticator tokensOnly = Authenticators.firstSupporting(jwt);
        AuthResult result = tokensOnly.authenticate(new Credentials.Password("alice@example.com", "s3cret"), CLIENT);
        assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        assertThat(((AuthResult.Rejected) result).reason()).contains("Password");
        assertThat(tokensOnly.supports(Credentials.Password.class)).isFalse();
    }

    @Test
    void scramSecretsComeFromTheAuthenticatorThatSupportsScram() {
        assertThat(both.scramSecret("alice@example.com", ScramSecret.Algorithm.SHA_256))
                .isEqualTo(passwords.scramSecret("alice@example.com", ScramSecret.Algorithm.SHA_256));
        assertThat(both.scramSecret("alice@example.com", ScramSecret.Algorithm.SHA_256)).isPresent();
        assertThat(Authenticators.firstSupporting(jwt).scramSecret("alice@example.com",
                ScramSecret.Algorithm.SHA_256)).isEmpty();
    }

    @Test
    void nullAuthenticatorsAreRefused() {
        assertThatThrownBy(() -> Authenticators.firstSupporting(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Authenticators.firstSupporting(jwt, (Authenticator) null))
                .isInstanceOf(NullPointerException.class);
    }

    static ClientInfo client() {
        return CLIENT;
    }
}
