package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An authenticator for tests that supports every kind of credentials: passwords and their digests through
 * {@link Authenticator#fromMap}, one bearer token per user, and client certificates whose CN is the user; the user
 * {@code admin} may act as any user (a SASL authorization identity). It records what it was asked.
 */
public class EveryKind implements Authenticator {

    private final Authenticator passwords;
    private final Map<String, String> tokens;
    /** Every credentials it was asked about, in order. */
    public final List<Credentials> seen = new CopyOnWriteArrayList<>();
    /** Every user whose SCRAM secret it was asked for, in order. */
    public final List<String> secretsAskedFor = new CopyOnWriteArrayList<>();

    /**
     * The authenticator.
     *
     * @param passwords user name to password
     * @param tokens bearer token to user name
     */
    public EveryKind(Map<String, String> passwords, Map<String, String> tokens) {
        this.passwords = Authenticator.fromMap(passwords);
        this.tokens = Map.copyOf(tokens);
    }

    /** alice/s3cret, bob/hunter2 and admin/adminpw; alice's token is {@code ya29.alice-token}. */
    public static EveryKind standard() {
        return new EveryKind(Map.of("alice", "s3cret", "bob", "hunter2", "admin", "adminpw"),
                Map.of("ya29.alice-token", "alice"));
    }

    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        seen.add(credentials);
        if (credentials instanceof Credentials.Bearer bearer) {
            String user = tokens.get(bearer.token());
            return user != null && (bearer.username().isEmpty() || bearer.username().equals(user))
                    ? AuthResult.accept(user) : AuthResult.reject("unknown token");
        }
        if (credentials instanceof Credentials.External external) {
            if (client.peerCertificates().isEmpty()) {
                return AuthResult.reject("no certificate");
            }
            String name = client.peerCertificates().get(0).getSubjectX500Principal().getName();
            String user = name.replaceAll(".*CN=([^,]+).*", "$1");
            return external.authorizationId().isEmpty() || external.authorizationId().equals(user)
                    ? AuthResult.accept(user) : AuthResult.reject("certificate of " + user);
        }
        if (credentials instanceof Credentials.Password p && !p.authorizationId().isEmpty()
                && p.username().equals("admin")) {
            AuthResult admin = passwords.authenticate(new Credentials.Password("admin", p.password()), client);
            return admin instanceof AuthResult.Accepted ? AuthResult.accept(p.authorizationId()) : admin;
        }
        return passwords.authenticate(credentials, client);
    }

    @Override
    public boolean supports(Class<? extends Credentials> kind) {
        return true;
    }

    @Override
    public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
        secretsAskedFor.add(username);
        return passwords.scramSecret(username, algorithm);
    }

    @Override
    public boolean mayBlock() {
        return false;
    }
}
