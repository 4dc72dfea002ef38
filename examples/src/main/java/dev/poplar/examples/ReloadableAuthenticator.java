package dev.poplar.examples;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An authenticator whose delegate can be replaced while the server runs (on reload): each call goes to the delegate
 * current at that moment. A login already under way finishes with the delegate it started with. Thread-safe.
 */
final class ReloadableAuthenticator implements Authenticator {

    private final AtomicReference<Authenticator> current;

    ReloadableAuthenticator(Authenticator first) {
        current = new AtomicReference<>(Objects.requireNonNull(first, "first"));
    }

    /**
     * Makes new logins use another authenticator.
     *
     * @param next the authenticator
     */
    void swap(Authenticator next) {
        current.set(Objects.requireNonNull(next, "next"));
    }

    @Override
    public AuthResult authenticate(Credentials credentials, ClientInfo client) {
        return current.get().authenticate(credentials, client);
    }

    @Override
    public boolean supports(Class<? extends Credentials> kind) {
        return current.get().supports(kind);
    }

    @Override
    public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
        return current.get().scramSecret(username, algorithm);
    }

    @Override
    public boolean mayBlock() {
        return current.get().mayBlock();
    }

    @Override
    public String toString() {
        return "reloadable " + current.get();
    }
}
