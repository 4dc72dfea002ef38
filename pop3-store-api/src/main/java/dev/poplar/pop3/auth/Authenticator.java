package dev.poplar.pop3.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether presented credentials may log in, and which mailbox they open.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe. {@link #authenticate} may block (a database, a password
 * hash, a remote service); the server calls it on a worker thread, never on a network I/O thread.
 *
 * <p><b>Results, not exceptions.</b> Wrong credentials are {@link AuthResult#reject()}; a back end that is down is
 * {@link AuthResult#unavailable()}. A {@code RuntimeException} thrown anyway is logged and treated as unavailable.
 * The server applies its own delay to failed attempts; an authenticator need not sleep.
 *
 * <p><b>Mechanisms.</b> Every authenticator verifies {@link Credentials.Password}. Mechanisms that prove knowledge of
 * a shared secret without sending it ({@code APOP}) are offered to clients only when {@link #supports} says the
 * authenticator can verify them.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Verifies credentials.
     *
     * @param credentials what the client presented; never {@code null}
     * @param client the connection they came on; never {@code null}
     * @return the decision, never {@code null}
     */
    AuthResult authenticate(Credentials credentials, ClientInfo client);

    /**
     * Whether this authenticator can verify a kind of credentials. The server offers a mechanism only if this says
     * yes. The default supports {@link Credentials.Kind#PASSWORD} only.
     *
     * @param kind a kind of credentials
     * @return {@code true} if {@link #authenticate} can verify it
     */
    default boolean supports(Credentials.Kind kind) {
        return kind == Credentials.Kind.PASSWORD;
    }

    /**
     * An authenticator that refuses everyone.
     *
     * @return an authenticator rejecting all credentials
     */
    static Authenticator rejectAll() {
        return (credentials, client) -> AuthResult.reject();
    }

    /**
     * An authenticator over a fixed map of user names to plain passwords; each user's mailbox has the user's name.
     * It verifies passwords and {@code APOP}. Comparisons take the same time whatever the password. The map is
     * copied.
     *
     * @param passwords user name to password
     * @return an authenticator over a copy of the map
     */
    static Authenticator fromMap(Map<String, String> passwords) {
        Map<String, byte[]> secrets = new java.util.HashMap<>();
        passwords.forEach((user, password) -> secrets.put(
                Objects.requireNonNull(user, "user"),
                Objects.requireNonNull(password, "password of " + user).getBytes(StandardCharsets.UTF_8)));
        return new Authenticator() {
            @Override
            public AuthResult authenticate(Credentials credentials, ClientInfo client) {
                byte[] secret = secrets.get(credentials.username());
                boolean ok;
                if (credentials instanceof Credentials.Password p) {
                    byte[] given = p.password().getBytes(StandardCharsets.UTF_8);
                    ok = MessageDigest.isEqual(secret == null ? new byte[given.length + 1] : secret, given);
                } else if (credentials instanceof Credentials.Apop a) {
                    byte[] expected = apopDigest(a.timestamp(), secret == null ? new byte[0] : secret);
                    ok = MessageDigest.isEqual(expected, a.digest().toLowerCase(java.util.Locale.ROOT)
                            .getBytes(StandardCharsets.US_ASCII));
                } else {
                    ok = false;
                }
                return ok && secret != null && (credentials.authorizationId().isEmpty()
                        || credentials.authorizationId().equals(credentials.username()))
                        ? AuthResult.accept(credentials.username())
                        : AuthResult.reject();
            }

            @Override
            public boolean supports(Credentials.Kind kind) {
                return kind == Credentials.Kind.PASSWORD || kind == Credentials.Kind.APOP;
            }
        };
    }

    /**
     * The {@code APOP} digest of RFC 1939 section 7: the lower-case hexadecimal MD5 of the greeting's timestamp
     * followed by the shared secret.
     *
     * @param timestamp the timestamp from the greeting, angle brackets included
     * @param secret the shared secret, UTF-8
     * @return the digest as lower-case hexadecimal ASCII octets
     */
    static byte[] apopDigest(String timestamp, byte[] secret) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            md5.update(secret);
            return HexFormat.of().formatHex(md5.digest()).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
