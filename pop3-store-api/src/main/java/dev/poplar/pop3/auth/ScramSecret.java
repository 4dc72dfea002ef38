package dev.poplar.pop3.auth;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a server keeps to verify SCRAM (RFC 5802 section 3) without knowing the password: the salt, the iteration
 * count, {@code StoredKey} and {@code ServerKey}. Returned by {@link Authenticator#scramSecret}.
 *
 * @param algorithm the hash
 * @param salt the salt
 * @param iterations the PBKDF2 iteration count, at least 4096 is recommended (RFC 7677 section 4)
 * @param storedKey {@code H(HMAC(SaltedPassword, "Client Key"))}
 * @param serverKey {@code HMAC(SaltedPassword, "Server Key")}
 */
public record ScramSecret(Algorithm algorithm, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {

    /** The SCRAM hash functions the server implements. */
    public enum Algorithm {
        /** {@code SCRAM-SHA-1} (RFC 5802). */
        SHA_1("SCRAM-SHA-1", "SHA-1", "HmacSHA1", "PBKDF2WithHmacSHA1", 20),
        /** {@code SCRAM-SHA-256} (RFC 7677). */
        SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", "PBKDF2WithHmacSHA256", 32);

        private final String mechanism;
        private final String digest;
        private final String hmac;
        private final String pbkdf2;
        private final int octets;

        Algorithm(String mechanism, String digest, String hmac, String pbkdf2, int octets) {
            this.mechanism = mechanism;
            this.digest = digest;
            this.hmac = hmac;
            this.pbkdf2 = pbkdf2;
            this.octets = octets;
        }

        /**
         * The SASL mechanism name, without {@code -PLUS}.
         *
         * @return e.g. {@code SCRAM-SHA-256}
         */
        public String mechanism() {
            return mechanism;
        }

        /**
         * The length of the hash in octets.
         *
         * @return 20 or 32
         */
        public int octets() {
            return octets;
        }

        /**
         * {@code H(octets)}.
         *
         * @param octets the input
         * @return the hash
         */
        public byte[] hash(byte[] octets) {
            try {
                return MessageDigest.getInstance(digest).digest(octets);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(digest + " is required of every Java platform", e);
            }
        }

        /**
         * {@code HMAC(key, octets)}.
         *
         * @param key the key
         * @param octets the input
         * @return the HMAC
         */
        public byte[] hmac(byte[] key, byte[] octets) {
            try {
                Mac mac = Mac.getInstance(hmac);
                mac.init(new SecretKeySpec(key, hmac));
                return mac.doFinal(octets);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(hmac + " is required of every Java platform", e);
            }
        }

        byte[] saltedPassword(String password, byte[] salt, int iterations) {
            try {
                PBEKeySpec spec = new PBEKeySpec(normalize(password).toCharArray(), salt, iterations, octets * 8);
                return SecretKeyFactory.getInstance(pbkdf2).generateSecret(spec).getEncoded();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(pbkdf2 + " is required of every Java platform", e);
            }
        }
    }

    /**
     * Validates and copies the fields.
     *
     * @param algorithm the hash
     * @param salt the salt
     * @param iterations the PBKDF2 iteration count, at least 4096 is recommended (RFC 7677 section 4)
     * @param storedKey {@code H(HMAC(SaltedPassword, "Client Key"))}
     * @param serverKey {@code HMAC(SaltedPassword, "Server Key")}
     * @throws IllegalArgumentException if the salt is empty, the iteration count below 1, or a key has the wrong length
     * @throws NullPointerException if any is null
     */
    public ScramSecret {
        Objects.requireNonNull(algorithm, "algorithm");
        salt = Objects.requireNonNull(salt, "salt").clone();
        storedKey = Objects.requireNonNull(storedKey, "storedKey").clone();
        serverKey = Objects.requireNonNull(serverKey, "serverKey").clone();
        if (salt.length == 0) {
            throw new IllegalArgumentException("salt must not be empty");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        if (storedKey.length != algorithm.octets || serverKey.length != algorithm.octets) {
            throw new IllegalArgumentException("keys of " + algorithm.mechanism + " have " + algorithm.octets
                    + " octets");
        }
    }

    /**
     * Derives the secret of a password, as a users database would store it.
     *
     * @param algorithm the hash
     * @param password the password; normalized (NFKC, other spaces mapped to U+0020) as SASLprep would
     * @param salt the salt, random per user
     * @param iterations the iteration count
     * @return the secret
     */
    public static ScramSecret derive(Algorithm algorithm, String password, byte[] salt, int iterations) {
        byte[] salted = algorithm.saltedPassword(password, salt, iterations);
        byte[] clientKey = algorithm.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = algorithm.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramSecret(algorithm, salt, iterations, algorithm.hash(clientKey), serverKey);
    }

    /**
     * The salt.
     *
     * @return a copy: changing it changes nothing here
     */
    @Override
    public byte[] salt() {
        return salt.clone();
    }

    /**
     * The stored key.
     *
     * @return a copy: changing it changes nothing here
     */
    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    /**
     * The server key.
     *
     * @return a copy: changing it changes nothing here
     */
    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramSecret s && s.algorithm == algorithm && s.iterations == iterations
                && Arrays.equals(s.salt, salt) && MessageDigest.isEqual(s.storedKey, storedKey)
                && MessageDigest.isEqual(s.serverKey, serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, iterations, Arrays.hashCode(salt));
    }

    @Override
    public String toString() {
        return "ScramSecret[algorithm=" + algorithm + ", iterations=" + iterations + ", keys=***]";
    }

    /** SASLprep in the form that matters for passwords people type: compatibility forms and non-ASCII spaces. */
    private static String normalize(String password) {
        StringBuilder mapped = new StringBuilder(password.length());
        password.codePoints().forEach(c -> mapped.appendCodePoint(Character.isSpaceChar(c) ? ' ' : c));
        return Normalizer.normalize(mapped, Normalizer.Form.NFKC);
    }
}
