package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

/**
 * A SASL mechanism (RFC 4422) the {@code AUTH} command (RFC 5034) can run. A mechanism turns the client's responses
 * into {@link Credentials} for the {@code Authenticator}; it never decides whether they are good.
 *
 * <p>Implementations are stateless and shared; {@link #start()} creates the per-exchange state.
 */
public interface SaslMechanism {

    /**
     * The registered name, upper case, e.g. {@code PLAIN}.
     *
     * @return the name
     */
    String name();

    /**
     * Whether the mechanism sends a reusable secret in clear (as {@code PLAIN} does), so that it is offered only where
     * the plain-text policy allows.
     *
     * @return {@code true} for clear-text mechanisms
     */
    boolean clearText();

    /**
     * The kind of credentials the mechanism produces; offered only if the authenticator supports it.
     *
     * @return the kind
     */
    Class<? extends Credentials> produces();

    /**
     * Starts an exchange.
     *
     * @return the state of one exchange
     */
    SaslExchange start();
}
