package dev.poplar.pop3.auth;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticatorTest {

    static final ClientInfo CLIENT = new ClientInfo("s-1", "default", new InetSocketAddress("127.0.0.1", 40000),
            new InetSocketAddress("127.0.0.1", 110), false, List.of());

    final Authenticator map = Authenticator.fromMap(Map.of("alice", "s3cret"));

    @Test
    void mapAcceptsTheRightPasswordIntoTheUsersMailbox() {
        assertThat(map.authenticate(new Credentials.Password("alice", "s3cret"), CLIENT))
                .isEqualTo(AuthResult.accept("alice"));
    }

    @Test
    void mapRejectsWrongPasswordsAndUnknownUsers() {
        assertThat(map.authenticate(new Credentials.Password("alice", "s3cre"), CLIENT))
                .isInstanceOf(AuthResult.Rejected.class);
        assertThat(map.authenticate(new Credentials.Password("mallory", "s3cret"), CLIENT))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void mapVerifiesApopAsInRfc1939() {
        // The example of RFC 1939 section 7.
        String timestamp = "<1896.697170952@dbc.mtview.ca.us>";
        Authenticator mrose = Authenticator.fromMap(Map.of("mrose", "tanstaaf"));
        assertThat(new Credentials.Apop("mrose", timestamp, "c4c9334bac560ecc979e58001b3e22fb")
                .matches("tanstaaf".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(mrose.supports(Credentials.Apop.class)).isTrue();
        assertThat(mrose.authenticate(new Credentials.Apop("mrose", timestamp, "C4C9334BAC560ECC979E58001B3E22FB"),
                CLIENT)).isEqualTo(AuthResult.accept("mrose"));
        assertThat(mrose.authenticate(new Credentials.Apop("mrose", timestamp, "00000000000000000000000000000000"),
                CLIENT)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void rejectAllRejectsAndSupportsPasswordsOnly() {
        Authenticator none = Authenticator.rejectAll();
        assertThat(none.authenticate(new Credentials.Password("alice", "s3cret"), CLIENT))
                .isInstanceOf(AuthResult.Rejected.class);
        assertThat(none.supports(Credentials.Apop.class)).isFalse();
        assertThat(none.supports(Credentials.Password.class)).isTrue();
    }

    @Test
    void credentialsNeverShowSecrets() {
        assertThat(new Credentials.Password("alice", "s3cret").toString()).doesNotContain("s3cret");
        assertThat(new Credentials.Apop("alice", "<t>", "abcdef").toString()).doesNotContain("abcdef");
    }

    @Test
    void cramMd5MatchesTheExampleOfRfc2195() {
        Credentials.CramMd5 tim = new Credentials.CramMd5("tim", "<1896.697170952@postoffice.reston.mci.net>",
                "b913a602c7eda7a495b4e6e7334d3890");
        assertThat(tim.matches("tanstaaftanstaaf".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(tim.matches("tanstaaf".getBytes(StandardCharsets.UTF_8))).isFalse();
        Authenticator map = Authenticator.fromMap(Map.of("tim", "tanstaaftanstaaf"));
        assertThat(map.supports(Credentials.CramMd5.class)).isTrue();
        assertThat(map.authenticate(tim, CLIENT)).isEqualTo(AuthResult.accept("tim"));
        assertThat(map.authenticate(new Credentials.CramMd5("tom", tim.challenge(), tim.digest()), CLIENT))
                .isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void scramSecretVerifiesTheExampleOfRfc7677() {
        // RFC 7677 section 3: user "user", password "pencil".
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramSecret secret = ScramSecret.derive(ScramSecret.Algorithm.SHA_256, "pencil", salt, 4096);
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        assertProof(secret, authMessage, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    @Test
    void scramSecretVerifiesTheExampleOfRfc5802() {
        // RFC 5802 section 5: user "user", password "pencil", SHA-1.
        byte[] salt = Base64.getDecoder().decode("QSXCR+Q6sek8bf92");
        ScramSecret secret = ScramSecret.derive(ScramSecret.Algorithm.SHA_1, "pencil", salt, 4096);
        String authMessage = "n=user,r=fyko+d2lbbFgONRv9qkxdawL,"
                + "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,"
                + "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j";
        assertProof(secret, authMessage, "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", "rmF9pqV8S7suAoZWja4dJRkFsKQ=");
    }

    @Test
    void mapHandsOutScramSecretsForKnownUsersOnly() {
        Authenticator map = Authenticator.fromMap(Map.of("alice", "s3cret"));
        assertThat(map.supports(Credentials.Scram.class)).isTrue();
        assertThat(map.scramSecret("alice", ScramSecret.Algorithm.SHA_256)).isPresent();
        assertThat(map.scramSecret("mallory", ScramSecret.Algorithm.SHA_256)).isEmpty();
        assertThat(map.authenticate(new Credentials.Scram("alice", "", ScramSecret.Algorithm.SHA_256, false),
                CLIENT)).isEqualTo(AuthResult.accept("alice"));
        assertThat(map.mayBlock()).isFalse();
    }

    private static void assertProof(ScramSecret secret, String authMessage, String proof, String verifier) {
        ScramSecret.Algorithm algorithm = secret.algorithm();
        byte[] signature = algorithm.hmac(secret.storedKey(), authMessage.getBytes(StandardCharsets.UTF_8));
        byte[] clientKey = Base64.getDecoder().decode(proof);
        for (int i = 0; i < clientKey.length; i++) {
            clientKey[i] ^= signature[i];
        }
        assertThat(algorithm.hash(clientKey)).isEqualTo(secret.storedKey());
        assertThat(Base64.getEncoder().encodeToString(
                algorithm.hmac(secret.serverKey(), authMessage.getBytes(StandardCharsets.UTF_8)))).isEqualTo(verifier);
    }
}
