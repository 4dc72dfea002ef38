package dev.poplar.pop3.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether presented credentials may log in, and which mailbox they open.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe. {@link #authenticate} and {@link #scramSecret} may block
 * (a database, a password hash, a remote service); the server calls them on a worker thread, never on a network I/O
 * thread, unless {@link #mayBlock()} says they never block.
 *
 * <p><b>Results, not exceptions.</b> Wrong credentials are {@link AuthResult#reject()}; a back end that is down is
 * {@link AuthResult#unavailable()}. A {@code RuntimeException} thrown anyway is logged and treated as unavailable.
 * The server slows attempts that follow failures itself (its failed-login penalty); an authenticator need not sleep.
 *
 * <p><b>Mechanisms.</b> Every authenticator verifies {@link Credentials.Password}. The server offers any other way of
 * logging in ({@code APOP}, SASL {@code CRAM-MD5}, {@code SCRAM-*}, {@code OAUTHBEARER}, {@code XOAUTH2},
 * {@code EXTERNAL}) only when {@link #supports} says the authenticator can handle its kind of {@link Credentials}.
 * An authenticator written as a lambda handles passwords only.
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
     * Whether this authenticator can handle a kind of credentials. The server offers a mechanism only if this says
     * yes. The default handles {@link Credentials.Password} only.
     *
     * @param kind a kind of credentials, e.g. {@code Credentials.Apop.class}
     * @return {@code true} if {@link #authenticate} can decide on it
     */
    default boolean supports(Class<? extends Credentials> kind) {
        return kind == Credentials.Password.class;
    }

    /**
     * The stored SCRAM keys of a user (RFC 5802 section 3), so that the server can run a {@code SCRAM-*} exchange
     * without the password. After the client proves it knows the password, the server calls {@link #authenticate}
     * with {@link Credentials.Scram} to learn the mailbox. Called only if {@code supports(Credentials.Scram.class)}.
     *
     * <p>For an unknown user, return an empty result: the server then runs the exchange against a made-up secret
     * that is stable per user, so that the client cannot tell unknown users from wrong passwords.
     *
     * @param username the user name the client sent
     * @param algorithm the hash of the exchange
     * @return the secret, or empty if the user is unknown or has no secret for this algorithm
     */
    default Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
        return Optional.empty();
    }

    /**
     * Whether {@link #authenticate} and {@link #scramSecret} may block (I/O, locks, expensive hashing). An
     * authenticator that answers from memory at once returns {@code false}, and the server then calls it on the
     * connection's network thread, saving a thread hand-off per login. The default, {@code true}, is always safe.
     *
     * @return {@code false} only if no call ever waits
     */
    default boolean mayBlock() {
        return true;
    }

    /**
     * An authenticator that refuses everyone.
     *
     * @return an authenticator rejecting all credentials
     */
    static Authenticator rejectAll() {
        return new Authenticator() {
            @Override
            public AuthResult authenticate(Credentials credentials, ClientInfo client) {
                return AuthResult.reject();
            }

            @Override
            public boolean mayBlock() {
                return false;
            }
        };
    }

    /**
     * An authenticator over a fixed map of user names to plain passwords; each user's mailbox has the user's name.
     * Since it knows the passwords, it verifies every password-based kind: passwords, {@code APOP}, {@code CRAM-MD5}
     * and {@code SCRAM} (with a random salt per authenticator and 4096 iterations). Comparisons take the same time
     * whatever the password; an unknown user costs what a known one does. The map is copied. It never blocks.
     *
     * @param passwords user name to password
     * @return an authenticator over a copy of the map
     */
    static Authenticator fromMap(Map<String, String> passwords) {
        Map<String, byte[]> secrets = new java.util.HashMap<>();
        passwords.forEach((user, password) -> secrets.put(
                Objects.requireNonNull(user, "user"),
                Objects.requireNonNull(password, "password of " + user).getBytes(StandardCharsets.UTF_8)));
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Map<String, ScramSecret> scram = new ConcurrentHashMap<>();
        Set<Class<? extends Credentials>> kinds = Set.of(Credentials.Password.class, Credentials.Apop.class,
                Credentials.CramMd5.class, Credentials.Scram.class);
        return new Authenticator() {
            @Override
            public AuthResult authenticate(Credentials credentials, ClientInfo client) {
                byte[] secret = secrets.get(credentials.username());
                byte[] checked = secret == null ? new byte[0] : secret;
                boolean ok;
                if (credentials instanceof Credentials.Password p) {
                    byte[] given = p.password().getBytes(StandardCharsets.UTF_8);
                    ok = MessageDigest.isEqual(secret == null ? new byte[given.length + 1] : secret, given);
                } else if (credentials instanceof Credentials.Apop a) {
                    ok = a.matches(checked);
                } else if (credentials instanceof Credentials.CramMd5 c) {
                    ok = c.matches(checked);
                } else {
                    // SCRAM: the server checked the proof against scramSecret.
                    ok = credentials instanceof Credentials.Scram;
                }
                return ok && secret != null && (credentials.authorizationId().isEmpty()
                        || credentials.authorizationId().equals(credentials.username()))
                        ? AuthResult.accept(credentials.username())
                        : AuthResult.reject();
            }

            @Override
            public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
                byte[] secret = secrets.get(username);
                if (secret == null) {
                    return Optional.empty();
                }
                return Optional.of(scram.computeIfAbsent(algorithm + "\0" + username, k -> ScramSecret.derive(
                        algorithm, new String(secret, StandardCharsets.UTF_8), salt, 4096)));
            }

            @Override
            public boolean supports(Class<? extends Credentials> kind) {
                return kinds.contains(kind);
            }

            @Override
            public boolean mayBlock() {
                return false;
            }
        };
    }
}
