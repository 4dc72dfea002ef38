package dev.poplar.pop3.auth;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticatorTest {

    static final ClientInfo CLIENT = new ClientInfo("s-1", new InetSocketAddress("127.0.0.1", 40000),
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
        assertThat(new String(Authenticator.apopDigest(timestamp, "tanstaaf".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.US_ASCII)).isEqualTo("c4c9334bac560ecc979e58001b3e22fb");
        assertThat(mrose.supports(Credentials.Kind.APOP)).isTrue();
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
        assertThat(none.supports(Credentials.Kind.APOP)).isFalse();
    }

    @Test
    void credentialsNeverShowSecrets() {
        assertThat(new Credentials.Password("alice", "s3cret").toString()).doesNotContain("s3cret");
        assertThat(new Credentials.Apop("alice", "<t>", "abcdef").toString()).doesNotContain("abcdef");
    }
}
