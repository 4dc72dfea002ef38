package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

/** The server side of one SASL exchange. Not thread-safe; used by one session. */
public interface SaslExchange {

    /**
     * Takes the client's next response.
     *
     * @param response the decoded response; {@code null} when {@code AUTH} came without an initial response
     * @return a challenge to send, or the credentials the exchange established
     * @throws SaslException if the response is malformed
     */
    Step next(byte[] response) throws SaslException;

    /** What an exchange does next. */
    sealed interface Step {
    }

    /**
     * Send a challenge and wait for the next response.
     *
     * @param challenge the challenge octets (sent in base64)
     */
    record Challenge(byte[] challenge) implements Step {
    }

    /**
     * The exchange is complete; verify these credentials.
     *
     * @param credentials what the client presented
     */
    record Done(Credentials credentials) implements Step {
    }
}
