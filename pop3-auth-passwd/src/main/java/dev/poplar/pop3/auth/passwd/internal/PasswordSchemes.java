package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.auth.passwd.PasswordScheme;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The password schemes of Dovecot's passwd-file format ({@code {SCHEME}secret}) that Poplar verifies and writes.
 *
 * <p>Every secret is parsed and checked when the file is loaded, so a bad entry is refused with its line number
 * rather than failing a login later. Every comparison goes through {@link ConstantTime}. Clear-text secrets are
 * compared as their SHA-256, so that not even their length shows.
 */
public final class PasswordSchemes {

    /** What a scheme name looks like, braces or not: short, letters, digits and dashes. */
    private static final Pattern SCHEME_NAME = Pattern.compile("\\{?[A-Z0-9][A-Z0-9-]{0,31}\\}?");

    private PasswordSchemes() {
    }

    /**
     * Parses a passwd-file password field. Without a {@code {SCHEME}} prefix the secret is {@code CRYPT}, as in
     * Dovecot.
     *
     * @param field the password field
     * @return the stored password
     * @throws IllegalArgumentException with a message naming the scheme and the problem (never the secret), if the
     *     scheme is unknown or the secret is not valid for it
     */
    public static StoredPassword parse(String field) {
        String scheme = "CRYPT";
        String secret = field;
        int close = field.indexOf('}');
        if (field.startsWith("{") && close > 0) {
            scheme = field.substring(1, close).toUpperCase(Locale.ROOT);
            secret = field.substring(close + 1);
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("empty " + shown(scheme) + " secret");
        }
        if (scheme.equals("CRYPT")) {
            return crypt(secret);
        }
        PasswordScheme known;
        try {
            known = PasswordScheme.forName(scheme);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown password scheme " + shown("{" + scheme + "}")
                    + "; supported: " + PasswordScheme.names() + ", CRYPT ($5$, $6$, $2a$, $2b$, $2y$)");
        }
        return switch (known) {
            case PLAIN -> plain(scheme, secret);
            case CRAM_MD5 -> cramMd5(secret);
            case SSHA256 -> SaltedSha.parse(scheme, secret, false);
            case SSHA512 -> SaltedSha.parse(scheme, secret, true);
            case SHA256_CRYPT -> ShaCrypt.parse(scheme, secret, false);
            case SHA512_CRYPT -> ShaCrypt.parse(scheme, secret, true);
            case BLF_CRYPT -> Bcrypt.parse(scheme, secret);
            case ARGON2I, ARGON2ID -> Argon2.parse(scheme, secret);
            case SCRAM_SHA_1 -> Scram.parse(scheme, secret, ScramSecret.Algorithm.SHA_1);
            case SCRAM_SHA_256 -> Scram.parse(scheme, secret, ScramSecret.Algorithm.SHA_256);
        };
    }

    /**
     * Hashes a password as {@code doveadm pw -s SCHEME -r ROUNDS} does, with a fresh random salt.
     *
     * @param scheme the scheme
     * @param password the password
     * @param rounds the cost, in the scheme's unit (see {@link PasswordScheme}); ignored by schemes without one
     * @param random the source of salts
     * @return the password field, {@code {SCHEME}} prefix included
     * @throws IllegalArgumentException if the rounds are out of the scheme's range, or a clear-text password cannot
     *     be written in a users file
     */
    public static String hash(PasswordScheme scheme, String password, int rounds, SecureRandom random) {
        byte[] octets = password.getBytes(StandardCharsets.UTF_8);
        String secret = switch (scheme) {
            case PLAIN -> clearText(password);
            case CRAM_MD5 -> HexFormat.of().formatHex(HmacMd5Context.of(octets));
            case SSHA256, SSHA512 -> SaltedSha.hash(scheme == PasswordScheme.SSHA512, octets,
                    randomOctets(random, SaltedSha.SALT_LENGTH));
            case SHA256_CRYPT, SHA512_CRYPT -> ShaCrypt.hash(scheme == PasswordScheme.SHA512_CRYPT, octets,
                    Crypt64.randomSalt(random, ShaCrypt.SALT_LENGTH), rounds);
            case BLF_CRYPT -> Bcrypt.hash(octets, randomOctets(random, Bcrypt.SALT_LENGTH), rounds);
            case ARGON2I, ARGON2ID -> Argon2.hash(octets, Argon2.doveadmParameters(scheme == PasswordScheme.ARGON2ID,
                    rounds, randomOctets(random, Argon2.SALT_LENGTH)));
            case SCRAM_SHA_1 -> Scram.hash(ScramSecret.Algorithm.SHA_1, octets,
                    randomOctets(random, Scram.SALT_LENGTH), rounds);
            case SCRAM_SHA_256 -> Scram.hash(ScramSecret.Algorithm.SHA_256, octets,
                    randomOctets(random, Scram.SALT_LENGTH), rounds);
        };
        return "{" + scheme.dovecotName() + "}" + secret;
    }

    /**
     * The text between the braces as an error message may show it: only if it looks like a scheme name. A secret typed
     * inside the braces (a closing brace missing or misplaced) is not shown.
     */
    private static String shown(String scheme) {
        return SCHEME_NAME.matcher(scheme).matches() ? scheme : "(text in braces that is no scheme name, not shown)";
    }

    private static StoredPassword plain(String scheme, String secret) {
        byte[] clear = secret.getBytes(StandardCharsets.UTF_8);
        byte[] digest = Secrets.sha256(clear);
        return StoredPassword.clear(scheme, password -> ConstantTime.equal(digest, Secrets.sha256(password)), clear);
    }

    private static StoredPassword cramMd5(String secret) {
        byte[] context;
        try {
            context = HexFormat.of().parseHex(secret);
        } catch (IllegalArgumentException e) {
            context = new byte[0];
        }
        if (context.length != HmacMd5Context.LENGTH) {
            throw new IllegalArgumentException("CRAM-MD5 secret is not " + 2 * HmacMd5Context.LENGTH
                    + " hexadecimal digits");
        }
        byte[] stored = context;
        return StoredPassword.cramMd5(password -> ConstantTime.equal(stored, HmacMd5Context.of(password)), stored);
    }

    private static StoredPassword crypt(String secret) {
        if (secret.startsWith("$5$")) {
            return ShaCrypt.parse("CRYPT", secret, false);
        }
        if (secret.startsWith("$6$")) {
            return ShaCrypt.parse("CRYPT", secret, true);
        }
        if (secret.startsWith("$2")) {
            return Bcrypt.parse("CRYPT", secret);
        }
        throw new IllegalArgumentException("CRYPT secret of an unsupported kind (or a scheme missing): only $5$, $6$ "
                + "and $2a$/$2b$/$2y$ hashes are supported; write other schemes as {SCHEME}secret");
    }

    private static String clearText(String password) {
        if (password.chars().anyMatch(c -> c == ':' || c == '\n' || c == '\r')) {
            throw new IllegalArgumentException("a PLAIN password with ':' or a line break cannot be written in a "
                    + "users file; choose a hashed scheme");
        }
        return password;
    }

    private static byte[] randomOctets(SecureRandom random, int length) {
        byte[] octets = new byte[length];
        random.nextBytes(octets);
        return octets;
    }
}
