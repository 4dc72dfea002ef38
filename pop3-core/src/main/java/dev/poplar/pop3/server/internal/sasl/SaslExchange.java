package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.Credentials;

import java.util.Objects;
import java.util.concurrent.Callable;

/** The server side of one SASL exchange. Not thread-safe; used by one session. */
public interface SaslExchange {

    /**
     * Takes the client's next response.
     *
     * @param response the decoded response; {@code null} when {@code AUTH} came without an initial response
     * @return a challenge to send, a lookup to make, or the credentials the exchange established
     * @throws SaslException if the response is malformed, or proves nothing (a wrong SCRAM proof)
     */
    Step next(byte[] response) throws SaslException;

    /** What an exchange does next. */
    sealed interface Step permits Challenge, Lookup, Done {
    }

    /**
     * Send a challenge and wait for the next response.
     *
     * @param challenge the challenge octets (sent in base64)
     */
    record Challenge(byte[] challenge) implements Step {
    }

    /**
     * Look something up that the exchange needs (the SCRAM keys of a user), then go on with the result. The lookup is
     * part of a login attempt for {@code username}: the failed-login penalty applies before it runs, and it runs on a
     * worker when it may block; the exchange continues on the session thread.
     *
     * @param username the user the attempt is for
     * @param mayBlock whether the lookup may block
     * @param call the lookup
     * @param then what the exchange does with the result
     * @param <T> the result type
     */
    record Lookup<T>(String username, boolean mayBlock, Callable<T> call, Resume<T> then) implements Step {
    }

    /**
     * How an exchange goes on after a {@link Lookup}.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    interface Resume<T> {
        /**
         * Goes on with a lookup's result.
         *
         * @param result the result
         * @return the next step
         * @throws SaslException if the exchange fails
         */
        Step resume(T result) throws SaslException;
    }

    /**
     * The exchange is complete; verify these credentials with the authenticator.
     *
     * @param credentials what the client presented
     * @param errorResponse if the authenticator rejects them, send this as a challenge first and fail the exchange
     *     whatever the client answers (RFC 7628 section 3.2.2); {@code null} to fail at once
     * @param admitted whether the failed-login penalty was already applied to this attempt (before a lookup)
     */
    record Done(Credentials credentials, byte[] errorResponse, boolean admitted) implements Step {

        /**
         * Validates the credentials.
         *
         * @throws NullPointerException if {@code credentials} is null
         */
        public Done {
            Objects.requireNonNull(credentials, "credentials");
        }

        /**
         * Credentials to verify, failing at once if they are wrong.
         *
         * @param credentials what the client presented
         */
        public Done(Credentials credentials) {
            this(credentials, null, false);
        }
    }

    /**
     * The exchange after an error response (RFC 7628 section 3.2.3): the login has failed already, and whatever the
     * client answers (the dummy response {@code %x01}, an empty line, or an abort) ends it with {@code -ERR}.
     */
    enum Failed implements SaslExchange {
        /** The only instance. */
        INSTANCE;

        @Override
        public Step next(byte[] response) {
            throw new IllegalStateException("a failed exchange takes no further step");
        }
    }
}
