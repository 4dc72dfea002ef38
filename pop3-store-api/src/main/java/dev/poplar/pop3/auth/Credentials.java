package dev.poplar.pop3.auth;

import java.util.Objects;

/**
 * What a client presented to log in. The {@code toString} of every kind hides the secret.
 */
public sealed interface Credentials permits Credentials.Password, Credentials.Apop {

    /** The kinds of credentials, one per way of proving identity. */
    enum Kind {
        /** A user name and a password in clear: {@code USER}/{@code PASS}, SASL {@code PLAIN}. */
        PASSWORD,
        /** RFC 1939 {@code APOP}: an MD5 digest of the greeting's timestamp and a shared secret. */
        APOP
    }

    /**
     * The authentication identity: who the client says it is.
     *
     * @return the user name, never {@code null}
     */
    String username();

    /**
     * The authorization identity (SASL): whom the client wants to act as; empty when it is the user itself.
     *
     * @return the authorization identity, or an empty string
     */
    String authorizationId();

    /**
     * The kind of these credentials.
     *
     * @return the kind
     */
    Kind kind();

    /**
     * A user name and password in clear.
     *
     * @param username the user name
     * @param password the password
     * @param authorizationId the SASL authorization identity, or an empty string
     */
    record Password(String username, String password, String authorizationId) implements Credentials {

        /**
         * Validates the fields.
         *
         * @throws NullPointerException if any is null
         */
        public Password {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(authorizationId, "authorizationId");
        }

        /**
         * Credentials without an authorization identity.
         *
         * @param username the user name
         * @param password the password
         */
        public Password(String username, String password) {
            this(username, password, "");
        }

        @Override
        public Kind kind() {
            return Kind.PASSWORD;
        }

        @Override
        public String toString() {
            return "Password[username=" + username + ", password=***, authorizationId=" + authorizationId + "]";
        }
    }

    /**
     * RFC 1939 section 7 {@code APOP} credentials. See {@link Authenticator#apopDigest(String, byte[])}.
     *
     * @param username the user name
     * @param timestamp the timestamp of the server greeting, angle brackets included
     * @param digest the 32 hexadecimal digits the client sent
     */
    record Apop(String username, String timestamp, String digest) implements Credentials {

        /**
         * Validates the fields.
         *
         * @throws NullPointerException if any is null
         */
        public Apop {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(digest, "digest");
        }

        @Override
        public String authorizationId() {
            return "";
        }

        @Override
        public Kind kind() {
            return Kind.APOP;
        }

        @Override
        public String toString() {
            return "Apop[username=" + username + ", timestamp=" + timestamp + ", digest=***]";
        }
    }
}
