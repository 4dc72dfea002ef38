package dev.poplar.pop3.auth.oauth;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.poplar.pop3.auth.AuthResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.poplar.pop3.auth.oauth.JwtAuthenticatorTest.assertRejected;
import static dev.poplar.pop3.auth.oauth.JwtAuthenticatorTest.check;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys from a JWKS file that an operator (or a sync job) replaces while the server runs. */
class JwksFileTest {

    static final RSAKey OLD = TestKeys.rsa("old");
    static final ECKey NEW = TestKeys.ec("new");

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock();

    JwtAuthenticator.Builder builder(Path file) {
        return JwtAuthenticator.builder().issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).jwksFile(file).clock(clock);
    }

    @Test
    void aReplacedFileIsReadAgainBeforeTheNextLogin() {
        Path file = dir.resolve("jwks.json");
        TestKeys.writeJwks(file, OLD);
        JwtAuthenticator jwt = builder(file).build();
        String old = Tokens.token(clock).signedWith(OLD);
        String fresh = Tokens.token(clock).signedWith(NEW);
        assertThat(check(jwt, "", old)).isInstanceOf(AuthResult.Accepted.class);
        assertRejected(check(jwt, "", fresh), fresh, "no matching key");

        TestKeys.writeJwks(file, NEW);

        assertThat(check(jwt, "", fresh)).isEqualTo(AuthResult.accept("alice@example.com"));
        assertRejected(check(jwt, "", old), old, "no matching key");
    }

    @Test
    void aFileRewrittenInPlaceIsReadAgainToo() throws IOException {
        Path file = dir.resolve("jwks.json");
        TestKeys.writeJwks(file, OLD);
        JwtAuthenticator jwt = builder(file).build();
        Files.writeString(file, TestKeys.jwks(OLD, NEW));
        assertThat(check(jwt, "", Tokens.token(clock).signedWith(NEW))).isInstanceOf(AuthResult.Accepted.class);
    }

    @Test
    void aBrokenOrMissingFileKeepsTheKeysReadBefore() throws IOException {
        Path file = dir.resolve("jwks.json");
        TestKeys.writeJwks(file, OLD);
        JwtAuthenticator jwt = builder(file).build();
        String token = Tokens.token(clock).signedWith(OLD);

        TestKeys.writeAtomically(file, "{\"keys\": [");
        assertThat(check(jwt, "", token)).as("half-written file").isInstanceOf(AuthResult.Accepted.class);
        Files.delete(file);
        assertThat(check(jwt, "", token)).as("deleted file").isInstanceOf(AuthResult.Accepted.class);
        TestKeys.writeJwks(file, NEW);
        String fresh = Tokens.token(clock).signedWith(NEW);
        assertThat(check(jwt, "", fresh)).as("good file again").isInstanceOf(AuthResult.Accepted.class);
        assertRejected(check(jwt, "", token), token, "no matching key");
    }

    @Test
    void buildFailsForAFileThatIsMissingBrokenOrHoldsNoPublicKey() throws IOException {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> builder(missing).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jwksFile").hasMessageContaining(missing.toString());
        Path broken = Files.writeString(dir.resolve("broken.json"), "not json");
        assertThatThrownBy(() -> builder(broken).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jwksFile");
        Path secretOnly = Files.writeString(dir.resolve("secret.json"),
                "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}");
        assertThatThrownBy(() -> builder(secretOnly).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jwksFile").hasMessageContaining("no public key");
    }

    @Test
    void privateKeyMaterialInTheFileIsNotNeededAndNotKept() throws IOException {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, new com.nimbusds.jose.jwk.JWKSet(OLD).toString(false));
        JwtAuthenticator jwt = builder(file).build();
        assertThat(check(jwt, "", Tokens.token(clock).signedWith(OLD))).isInstanceOf(AuthResult.Accepted.class);
    }
}
