package dev.poplar.pop3.testkit.internal;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The test server's users, changeable while it runs; each user's mailbox has the user's name. A user logs in with
 * the password or any of its app passwords ({@code USER}/{@code PASS}, {@code PLAIN}, {@code LOGIN},
 * {@code CRAM-MD5}; {@code APOP} and {@code SCRAM-*} with the password only, as a server that keeps app passwords
 * hashed would), or with one of its OAuth bearer tokens ({@code OAUTHBEARER}, {@code XOAUTH2}).
 */
public final class Users implements Authenticator {

    private static final Set<Class<? extends Credentials>> KINDS = Set.of(Credentials.Password.class,
            Credentials.Apop.class, Credentials.CramMd5.class, Credentials.Scram.class, Credentials.Bearer.class);
    private static final int SCRAM_ITERATIONS = 4096;

    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, List<String>> appPasswords = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, ScramSecret> scram = new ConcurrentHashMap<>();
    private final byte[] salt = new byte[16];

    /** Creates an empty set of users. */
    public Users() {
        new SecureRandom().nextBytes(salt);
    }

    /**
     * Adds a user or changes a password.
     *
     * @param user the user name
     * @param password the password
     */
    public void put(String user, String password) {
        passwords.put(user, password);
    }

    /**
     * Adds an app password: another password the user may log in with.
     *
     * @param user the user name
     * @param password the app password
     */
    public void appPassword(String user, String password) {
        appPasswords.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>()).add(password);
    }

    /**
     * Adds an OAuth 2.0 bearer token that logs a user in.
     *
     * @param user the user name
     * @param token the access token
     */
    public void token(String user, String token) {
        tokens.put(token, user);
    }

    /**
     * Whether a user exists.
     *
     * @param user the user name
     * @return {@code true} if added
     */
    public boolean exists(String user) {
        return passwords.containsKey(user);
    }

    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        if (credentials instanceof Credentials.Bearer bearer) {
            String user = tokens.get(bearer.token());
            return user != null && (bearer.username().isEmpty() || bearer.username().equals(user))
                    ? AuthResult.accept(user) : AuthResult.reject("unknown token");
        }
        String password = passwords.get(credentials.username());
        if (password == null) {
            return AuthResult.reject("no such user: " + credentials.username());
        }
        if (!credentials.authorizationId().isEmpty() && !credentials.authorizationId().equals(credentials.username())) {
            return AuthResult.reject("the test server's users act as themselves only");
        }
        boolean ok;
        if (credentials instanceof Credentials.Apop a) {
            ok = a.matches(utf8(password));
        } else if (credentials instanceof Credentials.Scram) {
            // The server checked the proof against scramSecret.
            ok = true;
        } else {
            ok = secretsOf(credentials.username(), password).stream().anyMatch(secret -> matches(credentials, secret));
        }
        return ok ? AuthResult.accept(credentials.username()) : AuthResult.reject("wrong password");
    }

    private List<String> secretsOf(String user, String password) {
        List<String> all = new ArrayList<>(appPasswords.getOrDefault(user, List.of()));
        all.add(0, password);
        return all;
    }

    private static boolean matches(Credentials credentials, String secret) {
        if (credentials instanceof Credentials.Password p) {
            return MessageDigest.isEqual(utf8(secret), utf8(p.password()));
        }
        return credentials instanceof Credentials.CramMd5 c && c.matches(utf8(secret));
    }

    @Override
    public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
        String password = passwords.get(username);
        if (password == null) {
            return Optional.empty();
        }
        return Optional.of(scram.computeIfAbsent(algorithm + "\0" + username + "\0" + password,
                k -> ScramSecret.derive(algorithm, password, salt, SCRAM_ITERATIONS)));
    }

    @Override
    public boolean supports(Class<? extends Credentials> kind) {
        return KINDS.contains(kind);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
