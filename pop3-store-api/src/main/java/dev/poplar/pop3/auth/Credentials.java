package dev.poplar.pop3.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * What a client presented to log in. The {@code toString} of every kind hides the secret.
 */
public sealed interface Credentials permits Credentials.Password, Credentials.Apop, Credentials.CramMd5,
        Credentials.Scram, Credentials.Bearer, Credentials.External {

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
         * @param username the user name
         * @param password the password
         * @param authorizationId the SASL authorization identity, or an empty string
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
        public String toString() {
            return "Password[username=" + username + ", password=***, authorizationId=" + authorizationId + "]";
        }
    }

    /**
     * RFC 1939 section 7 {@code APOP} credentials: an MD5 digest of the greeting's timestamp and a shared secret.
     * An authenticator that knows the secret checks them with {@link #matches(byte[])}.
     *
     * @param username the user name
     * @param timestamp the timestamp of the server greeting, angle brackets included
     * @param digest the 32 hexadecimal digits the client sent
     */
    record Apop(String username, String timestamp, String digest) implements Credentials {

        /**
         * Validates the fields.
         *
         * @param username the user name
         * @param timestamp the timestamp of the server greeting, angle brackets included
         * @param digest the 32 hexadecimal digits the client sent
         * @throws NullPointerException if any is null
         */
        public Apop {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(digest, "digest");
        }

        /**
         * Whether the client's digest is the MD5 of the timestamp followed by this secret. Takes the same time
         * whatever the digest.
         *
         * @param secret the shared secret, UTF-8 encoded
         * @return {@code true} if the client knows the secret
         */
        public boolean matches(byte[] secret) {
            MessageDigest md5 = Digests.md5();
            md5.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            md5.update(secret);
            return Digests.hexEquals(md5.digest(), digest);
        }

        @Override
        public String authorizationId() {
            return "";
        }

        @Override
        public String toString() {
            return "Apop[username=" + username + ", timestamp=" + timestamp + ", digest=***]";
        }
    }

    /**
     * SASL {@code CRAM-MD5} credentials (RFC 2195): the HMAC-MD5 of the server's challenge keyed with a shared
     * secret. An authenticator that knows the secret checks them with {@link #matches(byte[])}; one that keeps only
     * the precomputed HMAC state (as Dovecot's {@code {CRAM-MD5}} scheme does) compares {@link #digest()} itself.
     *
     * @param username the user name
     * @param challenge the challenge the server sent, e.g. {@code <1896.697170952@postoffice.example.net>}
     * @param digest the 32 lower-case hexadecimal digits the client sent
     */
    record CramMd5(String username, String challenge, String digest) implements Credentials {

        /**
         * Validates the fields.
         *
         * @param username the user name
         * @param challenge the challenge the server sent, e.g. {@code <1896.697170952@postoffice.example.net>}
         * @param digest the 32 lower-case hexadecimal digits the client sent
         * @throws NullPointerException if any is null
         */
        public CramMd5 {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(challenge, "challenge");
            Objects.requireNonNull(digest, "digest");
        }

        /**
         * Whether the client's digest is the HMAC-MD5 of the challenge keyed with this secret. Takes the same time
         * whatever the digest.
         *
         * @param secret the shared secret, UTF-8 encoded
         * @return {@code true} if the client knows the secret
         */
        public boolean matches(byte[] secret) {
            try {
                Mac hmac = Mac.getInstance("HmacMD5");
                // An empty key is valid for HMAC but not for SecretKeySpec: pad it to the block as HMAC would.
                hmac.init(new SecretKeySpec(secret.length == 0 ? new byte[64] : secret, "HmacMD5"));
                return Digests.hexEquals(hmac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)), digest);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacMD5 is required of every Java platform", e);
            }
        }

        @Override
        public String authorizationId() {
            return "";
        }

        @Override
        public String toString() {
            return "CramMd5[username=" + username + ", challenge=" + challenge + ", digest=***]";
        }
    }

    /**
     * SASL {@code SCRAM-SHA-1} or {@code SCRAM-SHA-256} (RFC 5802, RFC 7677): the client has proved that it knows
     * the password whose keys {@link Authenticator#scramSecret} returned. The server has already checked the proof
     * when it passes these credentials to {@link Authenticator#authenticate}; the authenticator only decides whether
     * the user may log in now and which mailbox it opens.
     *
     * @param username the user name (SASLprep applied by the client)
     * @param authorizationId the authorization identity, or an empty string
     * @param algorithm the hash the exchange used
     * @param channelBound whether the exchange was bound to the TLS channel ({@code -PLUS})
     */
    record Scram(String username, String authorizationId, ScramSecret.Algorithm algorithm, boolean channelBound)
            implements Credentials {

        /**
         * Validates the fields.
         *
         * @param username the user name (SASLprep applied by the client)
         * @param authorizationId the authorization identity, or an empty string
         * @param algorithm the hash the exchange used
         * @param channelBound whether the exchange was bound to the TLS channel ({@code -PLUS})
         * @throws NullPointerException if any is null
         */
        public Scram {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(authorizationId, "authorizationId");
            Objects.requireNonNull(algorithm, "algorithm");
        }
    }

    /**
     * An OAuth 2.0 bearer token: SASL {@code OAUTHBEARER} (RFC 7628) or {@code XOAUTH2}. The authenticator validates
     * the token and checks that it was issued for {@link #username()}.
     *
     * @param username the user the client names ({@code a=} of OAUTHBEARER, {@code user=} of XOAUTH2); may be empty
     *     for OAUTHBEARER, when the token alone says who the user is
     * @param token the access token
     * @param mechanism {@code OAUTHBEARER} or {@code XOAUTH2}
     */
    record Bearer(String username, String token, String mechanism) implements Credentials {

        /**
         * Validates the fields.
         *
         * @param username the user the client names ({@code a=} of OAUTHBEARER, {@code user=} of XOAUTH2)
         * @param token the access token
         * @param mechanism {@code OAUTHBEARER} or {@code XOAUTH2}
         * @throws NullPointerException if any is null
         */
        public Bearer {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(mechanism, "mechanism");
        }

        @Override
        public String authorizationId() {
            return "";
        }

        @Override
        public String toString() {
            return "Bearer[username=" + username + ", token=***, mechanism=" + mechanism + "]";
        }
    }

    /**
     * SASL {@code EXTERNAL} (RFC 4422 appendix A) over TLS: the client's identity is its certificate, verified by the
     * TLS handshake and found in {@link ClientInfo#peerCertificates()}. The authenticator maps the certificate to a
     * user and mailbox.
     *
     * @param authorizationId the identity the client asks to act as, or an empty string to take the one its
     *     certificate names
     */
    record External(String authorizationId) implements Credentials {

        /**
         * Validates the field.
         *
         * @param authorizationId the identity the client asks to act as, or an empty string to take the one its
         *     certificate names
         * @throws NullPointerException if null
         */
        public External {
            Objects.requireNonNull(authorizationId, "authorizationId");
        }

        /**
         * The identity asked for, since the certificate is the proof.
         *
         * @return the authorization identity, or an empty string
         */
        @Override
        public String username() {
            return authorizationId;
        }
    }
}
