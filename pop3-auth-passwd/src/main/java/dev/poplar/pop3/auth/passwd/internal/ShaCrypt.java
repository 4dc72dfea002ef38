package dev.poplar.pop3.auth.passwd.internal;

import org.apache.commons.codec.digest.Sha2Crypt;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SHA-crypt ({@code $5$}, {@code $6$}): Dovecot's {@code SHA256-CRYPT} and {@code SHA512-CRYPT}. */
final class ShaCrypt {

    /** The fewest rounds SHA-crypt uses (fewer are raised to this). */
    static final int MIN_ROUNDS = 1000;

    /** The highest {@code rounds=} accepted (the limit of the SHA-crypt implementation). */
    static final int MAX_ROUNDS = 1_000_000;

    /** The rounds when the hash does not say. */
    static final int DEFAULT_ROUNDS = 5000;

    /** The salt length {@code doveadm pw} uses. */
    static final int SALT_LENGTH = 16;

    private static final Pattern SHA256 = Pattern.compile(
            "\\$5\\$(?:rounds=(\\d{1,9})\\$)?" + Crypt64.CHARS + "{0,16}\\$" + Crypt64.CHARS + "{43}");
    private static final Pattern SHA512 = Pattern.compile(
            "\\$6\\$(?:rounds=(\\d{1,9})\\$)?" + Crypt64.CHARS + "{0,16}\\$" + Crypt64.CHARS + "{86}");

    private ShaCrypt() {
    }

    static StoredPassword parse(String scheme, String secret, boolean sha512) {
        Matcher matcher = (sha512 ? SHA512 : SHA256).matcher(secret);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(scheme + " secret is not a " + (sha512 ? "$6$" : "$5$")
                    + " SHA-crypt hash");
        }
        long rounds = matcher.group(1) == null ? DEFAULT_ROUNDS : Long.parseLong(matcher.group(1));
        if (rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException(scheme + " secret has rounds=" + matcher.group(1)
                    + ", more than the " + MAX_ROUNDS + " supported");
        }
        byte[] expected = secret.getBytes(StandardCharsets.US_ASCII);
        String profile = (sha512 ? "SHA512-CRYPT" : "SHA256-CRYPT") + " rounds=" + Math.max(rounds, MIN_ROUNDS);
        return StoredPassword.hashed(scheme, profile, password -> {
            try {
                String actual = sha512 ? Sha2Crypt.sha512Crypt(password, secret)
                        : Sha2Crypt.sha256Crypt(password, secret);
                return ConstantTime.equal(expected, actual.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }

    /**
     * Hashes a password as {@code crypt(3)} and {@code doveadm pw} do.
     *
     * @param sha512 {@code $6$} rather than {@code $5$}
     * @param password the password, UTF-8
     * @param salt up to 16 characters of {@code [./0-9A-Za-z]}
     * @param rounds 1000 to 1,000,000; 5000 is not written into the hash
     * @return the hash, without the scheme prefix
     */
    static String hash(boolean sha512, byte[] password, String salt, int rounds) {
        if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds of " + (sha512 ? "SHA512-CRYPT" : "SHA256-CRYPT")
                    + " must be from " + MIN_ROUNDS + " to " + MAX_ROUNDS + ": " + rounds);
        }
        String setting = (sha512 ? "$6$" : "$5$") + (rounds == DEFAULT_ROUNDS ? "" : "rounds=" + rounds + "$") + salt;
        return sha512 ? Sha2Crypt.sha512Crypt(password, setting) : Sha2Crypt.sha256Crypt(password, setting);
    }
}
