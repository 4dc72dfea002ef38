package dev.poplar.pop3.auth.passwd.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/** Dovecot's {@code SSHA256} and {@code SSHA512}: Base64 of {@code H(password + salt)} followed by the salt. */
final class SaltedSha {

    /** The salt length {@code doveadm pw} uses. */
    static final int SALT_LENGTH = 4;

    private SaltedSha() {
    }

    static StoredPassword parse(String scheme, String secret, boolean sha512) {
        byte[] decoded = Secrets.base64(scheme, secret);
        int digestLength = sha512 ? 64 : 32;
        if (decoded.length <= digestLength) {
            throw new IllegalArgumentException(scheme + " secret is too short for a digest and a salt");
        }
        byte[] digest = Arrays.copyOf(decoded, digestLength);
        byte[] salt = Arrays.copyOfRange(decoded, digestLength, decoded.length);
        return StoredPassword.hashed(scheme, sha512 ? "SSHA512" : "SSHA256",
                password -> ConstantTime.equal(digest, salted(sha512, password, salt)));
    }

    /**
     * Hashes a password as {@code doveadm pw -s SSHA256} or {@code -s SSHA512} does.
     *
     * @param sha512 SHA-512 rather than SHA-256
     * @param password the password, UTF-8
     * @param salt the salt (four octets for {@code doveadm pw})
     * @return the Base64 text, without the scheme prefix
     */
    static String hash(boolean sha512, byte[] password, byte[] salt) {
        byte[] digest = salted(sha512, password, salt);
        byte[] out = Arrays.copyOf(digest, digest.length + salt.length);
        System.arraycopy(salt, 0, out, digest.length, salt.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /**
     * The salt of a hash.
     *
     * @param sha512 SHA-512 rather than SHA-256
     * @param encoded the Base64 text
     * @return the octets after the digest
     */
    static byte[] saltOf(boolean sha512, String encoded) {
        byte[] decoded = Base64.getDecoder().decode(encoded);
        return Arrays.copyOfRange(decoded, sha512 ? 64 : 32, decoded.length);
    }

    private static byte[] salted(boolean sha512, byte[] password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance(sha512 ? "SHA-512" : "SHA-256");
            md.update(password);
            md.update(salt);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-2 is required of every Java platform", e);
        }
    }
}
