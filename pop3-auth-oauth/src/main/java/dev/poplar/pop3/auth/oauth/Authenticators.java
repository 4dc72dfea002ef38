package dev.poplar.pop3.auth.oauth;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.auth.ScramSecret;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Combines authenticators.
 */
public final class Authenticators {

    private Authenticators() {
    }

    /**
     * An authenticator that hands each kind of credentials to the first of the given authenticators that
     * {@linkplain Authenticator#supports supports} it, e.g. bearer tokens to a {@link JwtAuthenticator} and passwords
     * to a users file:
     * <pre>{@code
     * Authenticator both = Authenticators.firstSupporting(jwt, usersFile);
     * }</pre>
     * Only that one authenticator decides: a rejection is final, the next is not asked. Credentials that none
     * supports are rejected. The combination supports a kind if any of the authenticators does (so the server offers
     * the union of their mechanisms); {@link Authenticator#scramSecret} asks the first that supports
     * {@link Credentials.Scram}, the same one that later authenticates the exchange; it
     * {@linkplain Authenticator#mayBlock may block} if any of them may.
     *
     * <p>Thread-safe if the given authenticators are; the list is fixed at this call.
     *
     * @param first the authenticator asked first
     * @param more the others, in order
     * @return the combination
     * @throws NullPointerException if any argument is null
     */
    public static Authenticator firstSupporting(Authenticator first, Authenticator... more) {
        List<Authenticator> all = new ArrayList<>(1 + more.length);
        all.add(Objects.requireNonNull(first, "first"));
        for (Authenticator next : more) {
            all.add(Objects.requireNonNull(next, "authenticator"));
        }
        List<Authenticator> chain = List.copyOf(all);
        boolean mayBlock = chain.stream().anyMatch(Authenticator::mayBlock);
        return new Authenticator() {
            @Override
            public AuthResult authenticate(Credentials credentials, ClientInfo client) {
                Optional<Authenticator> handler = handlerOf(credentials.getClass());
                return handler.isPresent()
                        ? handler.get().authenticate(credentials, client)
                        : AuthResult.reject("no authenticator accepts " + credentials.getClass().getSimpleName()
                                + " credentials");
            }

            @Override
            public boolean supports(Class<? extends Credentials> kind) {
                return handlerOf(kind).isPresent();
            }

            @Override
            public Optional<ScramSecret> scramSecret(String username, ScramSecret.Algorithm algorithm) {
                return handlerOf(Credentials.Scram.class).flatMap(a -> a.scramSecret(username, algorithm));
            }

            @Override
            public boolean mayBlock() {
                return mayBlock;
            }

            private Optional<Authenticator> handlerOf(Class<? extends Credentials> kind) {
                return chain.stream().filter(a -> a.supports(kind)).findFirst();
            }

            @Override
            public String toString() {
                return "firstSupporting" + chain;
            }
        };
    }
}
