package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A SASL mechanism (RFC 4422) the {@code AUTH} command (RFC 5034) can run. A mechanism turns the client's responses
 * into {@link Credentials} for the {@code Authenticator}; it never decides whether they are good (except a SCRAM
 * proof, which only the exchange can check). Shared by a server's sessions; {@link #start} creates the state of one
 * exchange.
 *
 * @param name the registered name, upper case, e.g. {@code PLAIN}
 * @param clearText whether the mechanism sends a reusable secret in clear (a password, a bearer token), so that it is
 *     offered only where the plain-text policy allows
 * @param produces the kind of credentials the mechanism produces; offered only if the authenticator supports it
 * @param availability whether a connection can carry the mechanism at all ({@code -PLUS} needs TLS, {@code EXTERNAL}
 *     a verified client certificate)
 * @param starter starts an exchange on a connection; thread-safe
 */
public record SaslMechanism(String name, boolean clearText, Class<? extends Credentials> produces,
                            Predicate<SaslContext> availability, Function<SaslContext, SaslExchange> starter) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if any is null
     */
    public SaslMechanism {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(produces, "produces");
        Objects.requireNonNull(availability, "availability");
        Objects.requireNonNull(starter, "starter");
    }

    /**
     * A mechanism any connection can carry.
     *
     * @param name the name
     * @param clearText whether it sends a secret in clear
     * @param produces the kind of credentials
     * @param starter starts an exchange
     */
    public SaslMechanism(String name, boolean clearText, Class<? extends Credentials> produces,
                         Function<SaslContext, SaslExchange> starter) {
        this(name, clearText, produces, connection -> true, starter);
    }

    /**
     * Whether the connection can carry the mechanism.
     *
     * @param connection the connection
     * @return {@code true} if it may be offered there
     */
    public boolean availableOn(SaslContext connection) {
        return availability.test(connection);
    }

    /**
     * Starts an exchange.
     *
     * @param connection the connection it runs on
     * @return the state of one exchange
     */
    public SaslExchange start(SaslContext connection) {
        return starter.apply(connection);
    }
}
