package dev.poplar.pop3.auth.passwd;

import dev.poplar.pop3.auth.passwd.internal.PasswordSchemes;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The password schemes of the users file, and the password tool: {@link #hash(String)} writes a password field as
 * {@code doveadm pw -s SCHEME} does, ready for a line {@code user:{SCHEME}secret} that Dovecot and
 * {@link PasswdFileAuthenticator} accept; {@link #verify(String, String)} checks one as {@code doveadm pw -t} does.
 *
 * <p>The file also accepts {@code {CRYPT}} (and secrets without a scheme) for {@code $5$}, {@code $6$} and bcrypt
 * hashes, and the aliases {@code CLEAR}, {@code CLEARTEXT} (for {@link #PLAIN}) and {@code HMAC-MD5} (for
 * {@link #CRAM_MD5}).
 *
 * <p><b>Rounds</b>, as {@code doveadm pw -r} counts them, where a scheme has a cost: {@link #SHA256_CRYPT} and
 * {@link #SHA512_CRYPT} rounds (1000 to 1,000,000, default 5000); {@link #BLF_CRYPT} the bcrypt cost (4 to 31,
 * default 5); {@link #ARGON2ID} and {@link #ARGON2I} libsodium's operations limit, which also chooses the memory (see
 * their descriptions); {@link #SCRAM_SHA_1} and {@link #SCRAM_SHA_256} the PBKDF2 iterations (4096 to 10,000,000,
 * default 4096).
 *
 * <p>All methods are thread-safe. Hashing takes as long as the scheme's cost: milliseconds for SHA-crypt, tens to
 * hundreds of milliseconds and the scheme's memory for bcrypt and Argon2.
 */
public enum PasswordScheme {

    /** The password in clear ({@code {PLAIN}secret}). Verifies APOP and CRAM-MD5 too. No rounds. */
    PLAIN("PLAIN", 0),
    /**
     * Dovecot's HMAC-MD5 context: the MD5 states after the key blocks, in hexadecimal. Verifies CRAM-MD5 as well as
     * passwords, and is as easy to attack as MD5 if the file leaks. No rounds.
     */
    CRAM_MD5("CRAM-MD5", 0),
    /** Salted SHA-256, Base64 of the digest followed by a 4-octet salt. No rounds. */
    SSHA256("SSHA256", 0),
    /** Salted SHA-512, Base64 of the digest followed by a 4-octet salt. No rounds. */
    SSHA512("SSHA512", 0),
    /** SHA-crypt with SHA-256 ({@code $5$}). */
    SHA256_CRYPT("SHA256-CRYPT", 5000),
    /** SHA-crypt with SHA-512 ({@code $6$}). */
    SHA512_CRYPT("SHA512-CRYPT", 5000),
    /** bcrypt ({@code $2y$}); passwords count up to their 72nd octet. */
    BLF_CRYPT("BLF-CRYPT", 5),
    /**
     * Argon2i ({@code $argon2i$}). Rounds from 3 (default 4) are its passes; the memory is 32 MiB below 6 rounds,
     * 128 MiB below 8, 512 MiB from 8.
     */
    ARGON2I("ARGON2I", 4),
    /**
     * Argon2id ({@code $argon2id$}). Rounds from 1 (default 2): the passes are the rounds but at least 3; the memory
     * is 64 MiB below 3 rounds, 256 MiB at 3, 1 GiB from 4.
     */
    ARGON2ID("ARGON2ID", 2),
    /** SCRAM-SHA-1 keys ({@code iterations,salt,StoredKey,ServerKey}). Serves SASL SCRAM-SHA-1 too. */
    SCRAM_SHA_1("SCRAM-SHA-1", 4096),
    /** SCRAM-SHA-256 keys ({@code iterations,salt,StoredKey,ServerKey}). Serves SASL SCRAM-SHA-256 too. */
    SCRAM_SHA_256("SCRAM-SHA-256", 4096);

    private final String dovecotName;
    private final int defaultRounds;

    PasswordScheme(String dovecotName, int defaultRounds) {
        this.dovecotName = dovecotName;
        this.defaultRounds = defaultRounds;
    }

    /**
     * The name between the braces.
     *
     * @return e.g. {@code SHA512-CRYPT}
     */
    public String dovecotName() {
        return dovecotName;
    }

    /**
     * The rounds used when none are given.
     *
     * @return the default rounds, or empty for a scheme without a cost
     */
    public OptionalInt defaultRounds() {
        return defaultRounds == 0 ? OptionalInt.empty() : OptionalInt.of(defaultRounds);
    }

    /**
     * The scheme of a name, as {@code doveadm pw -s} takes it: case-insensitive, with the aliases {@code CLEAR},
     * {@code CLEARTEXT} and {@code HMAC-MD5}.
     *
     * @param name a scheme name, without braces
     * @return the scheme
     * @throws IllegalArgumentException if no scheme has this name; the message lists the known ones
     * @throws NullPointerException if {@code name} is null
     */
    public static PasswordScheme forName(String name) {
        String upper = Objects.requireNonNull(name, "name").toUpperCase(Locale.ROOT);
        switch (upper) {
            case "CLEAR", "CLEARTEXT":
                return PLAIN;
            case "HMAC-MD5":
                return CRAM_MD5;
            default:
                return Arrays.stream(values()).filter(s -> s.dovecotName.equals(upper)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown password scheme " + name
                                + "; supported: " + names()));
        }
    }

    /**
     * The names of all schemes, for messages.
     *
     * @return e.g. {@code PLAIN, CRAM-MD5, ...}
     */
    public static String names() {
        return Arrays.stream(values()).map(PasswordScheme::dovecotName).collect(Collectors.joining(", "));
    }

    /**
     * Hashes a password with a fresh random salt and the default rounds, as {@code doveadm pw -s SCHEME} does.
     *
     * @param password the password
     * @return the password field, e.g. {@code {SHA512-CRYPT}$6$...}
     * @throws IllegalArgumentException if the password is empty, or is {@link #PLAIN} and holds {@code :} or a line
     *     break (it could not be written in a users file)
     * @throws NullPointerException if {@code password} is null
     */
    public String hash(String password) {
        return hash(password, defaultRounds);
    }

    /**
     * Hashes a password with a fresh random salt and the given rounds, as {@code doveadm pw -s SCHEME -r ROUNDS}
     * does (see the class description for what rounds mean per scheme).
     *
     * @param password the password
     * @param rounds the rounds; ignored by schemes without a cost
     * @return the password field, e.g. {@code {SHA512-CRYPT}$6$rounds=10000$...}
     * @throws IllegalArgumentException if the rounds are out of the scheme's range (the message names them), the
     *     password is empty, or it is {@link #PLAIN} and holds {@code :} or a line break
     * @throws NullPointerException if {@code password} is null
     */
    public String hash(String password, int rounds) {
        Objects.requireNonNull(password, "password");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
        return PasswordSchemes.hash(this, password, rounds, new SecureRandom());
    }

    /**
     * Checks a password against a password field, as {@code doveadm pw -t} does.
     *
     * @param passwordField a field as in the users file, e.g. {@code {SSHA512}...}; without a scheme it is
     *     {@code CRYPT}
     * @param password the password
     * @return whether the password matches
     * @throws IllegalArgumentException if the field is not valid (the message names the scheme and the problem,
     *     never the secret)
     * @throws NullPointerException if an argument is null
     */
    public static boolean verify(String passwordField, String password) {
        Objects.requireNonNull(password, "password");
        return PasswordSchemes.parse(Objects.requireNonNull(passwordField, "passwordField"))
                .matches(password.getBytes(StandardCharsets.UTF_8));
    }
}
