package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.ScramSecret;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A user's parsed password field: it checks passwords and says what else it can verify. Immutable and thread-safe.
 */
public final class StoredPassword {

    private final String scheme;
    private final String costProfile;
    private final Predicate<byte[]> check;
    private final byte[] plaintext;
    private final byte[] cramContext;
    private final ScramSecret scram;

    private StoredPassword(String scheme, String costProfile, Predicate<byte[]> check, byte[] plaintext,
                           byte[] cramContext, ScramSecret scram) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.costProfile = Objects.requireNonNull(costProfile, "costProfile");
        this.check = Objects.requireNonNull(check, "check");
        this.plaintext = plaintext;
        this.cramContext = cramContext;
        this.scram = scram;
    }

    /**
     * A secret that only checks passwords.
     *
     * @param scheme the scheme as written in the file, upper case, for logs
     * @param costProfile what a check costs: equal for two secrets whose checks take the same work (the algorithm
     *     and its cost parameters, never the salt)
     * @param check checks a password (UTF-8) in time independent of where it differs from the secret
     * @return the stored password
     */
    static StoredPassword hashed(String scheme, String costProfile, Predicate<byte[]> check) {
        return new StoredPassword(scheme, costProfile, check, null, null, null);
    }

    /**
     * A clear-text secret, which also verifies APOP and CRAM-MD5.
     *
     * @param scheme the scheme as written
     * @param check checks a password
     * @param plaintext the secret, UTF-8
     * @return the stored password
     */
    static StoredPassword clear(String scheme, Predicate<byte[]> check, byte[] plaintext) {
        return new StoredPassword(scheme, "PLAIN", check, plaintext.clone(), HmacMd5Context.of(plaintext), null);
    }

    /**
     * A CRAM-MD5 context, which verifies passwords and CRAM-MD5.
     *
     * @param check checks a password
     * @param context the 32-octet context
     * @return the stored password
     */
    static StoredPassword cramMd5(Predicate<byte[]> check, byte[] context) {
        return new StoredPassword("CRAM-MD5", "CRAM-MD5", check, null, context.clone(), null);
    }

    /**
     * SCRAM keys, which verify passwords and serve SCRAM exchanges.
     *
     * @param scheme the scheme as written
     * @param costProfile what a password check costs
     * @param check checks a password
     * @param secret the keys
     * @return the stored password
     */
    static StoredPassword scram(String scheme, String costProfile, Predicate<byte[]> check, ScramSecret secret) {
        return new StoredPassword(scheme, costProfile, check, null, null, secret);
    }

    /**
     * The scheme as written in the file.
     *
     * @return e.g. {@code SHA512-CRYPT}
     */
    public String scheme() {
        return scheme;
    }

    /**
     * What checking a password costs. Two stored passwords with the same profile take the same work to check.
     *
     * @return e.g. {@code SHA512-CRYPT rounds=5000}
     */
    public String costProfile() {
        return costProfile;
    }

    /**
     * Checks a password.
     *
     * @param password the password, UTF-8 encoded
     * @return whether it matches
     */
    public boolean matches(byte[] password) {
        return check.test(password);
    }

    /**
     * The secret in clear, for APOP.
     *
     * @return the secret, UTF-8, if the file holds it in clear
     */
    public Optional<byte[]> plaintext() {
        return Optional.ofNullable(plaintext).map(byte[]::clone);
    }

    /**
     * The HMAC-MD5 context, for CRAM-MD5.
     *
     * @return the context, if the file holds the secret in clear or as {@code {CRAM-MD5}}
     */
    public Optional<byte[]> cramContext() {
        return Optional.ofNullable(cramContext).map(byte[]::clone);
    }

    /**
     * The SCRAM keys.
     *
     * @return the keys, if the file holds them ({@code {SCRAM-SHA-1}}, {@code {SCRAM-SHA-256}})
     */
    public Optional<ScramSecret> scram() {
        return Optional.ofNullable(scram);
    }
}
