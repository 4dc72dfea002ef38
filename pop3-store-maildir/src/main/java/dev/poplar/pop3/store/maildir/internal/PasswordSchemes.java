package dev.poplar.pop3.store.maildir.internal;

import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The password schemes of Dovecot's passwd-file format ({@code {SCHEME}secret}) that Poplar verifies.
 *
 * <p>Every secret is parsed and checked when the file is loaded, so a bad entry is refused with its line number
 * rather than failing a login later. Every comparison takes the same time whatever the password. Clear-text secrets
 * are kept as their SHA-256 and compared digest to digest, so that not even their length shows.
 */
public final class PasswordSchemes {

    /** The highest SHA-crypt {@code rounds=} accepted (the limit of the SHA-crypt implementation). */
    public static final int MAX_SHA_CRYPT_ROUNDS = 1_000_000;

    /** The most memory, in KiB, an Argon2 entry may ask for at each verification (1 GiB). */
    public static final int MAX_ARGON2_MEMORY_KIB = 1 << 20;

    private static final String CRYPT_CHARS = "[./0-9A-Za-z]";
    private static final Pattern SHA256_CRYPT = Pattern.compile(
            "\\$5\\$(?:rounds=(\\d{1,9})\\$)?" + CRYPT_CHARS + "{0,16}\\$" + CRYPT_CHARS + "{43}");
    private static final Pattern SHA512_CRYPT = Pattern.compile(
            "\\$6\\$(?:rounds=(\\d{1,9})\\$)?" + CRYPT_CHARS + "{0,16}\\$" + CRYPT_CHARS + "{86}");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$" + CRYPT_CHARS + "{53}");
    private static final Pattern ARGON2 = Pattern.compile(
            "\\$(argon2id|argon2i)\\$(?:v=(\\d+)\\$)?m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,3})"
                    + "\\$([A-Za-z0-9+/]+={0,2})\\$([A-Za-z0-9+/]+={0,2})");

    private PasswordSchemes() {
    }

    /**
     * A stored secret that can check a password. Thread-safe.
     *
     * @param scheme the upper-case scheme name, for logs
     * @param check checks a password (UTF-8 octets) in time independent of where it differs from the secret
     */
    public record Verifier(String scheme, Predicate<byte[]> check) {
        /**
         * Checks a password against the stored secret.
         *
         * @param password the password as UTF-8 octets
         * @return whether it matches
         */
        public boolean matches(byte[] password) {
            return check.test(password);
        }
    }

    /**
     * Parses a passwd-file password field. Without a {@code {SCHEME}} prefix the secret is {@code CRYPT}, as in
     * Dovecot.
     *
     * @param field the password field
     * @return a verifier for it
     * @throws IllegalArgumentException with a message naming the scheme and the problem (never the secret), if the
     *     scheme is unknown or the secret is not valid for it
     */
    public static Verifier parse(String field) {
        String scheme = "CRYPT";
        String secret = field;
        int close = field.indexOf('}');
        if (field.startsWith("{") && close > 0) {
            scheme = field.substring(1, close).toUpperCase(Locale.ROOT);
            secret = field.substring(close + 1);
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("empty " + scheme + " secret");
        }
        switch (scheme) {
            case "PLAIN", "CLEAR", "CLEARTEXT":
                byte[] secretDigest = sha256(secret.getBytes(StandardCharsets.UTF_8));
                return new Verifier(scheme, password -> MessageDigest.isEqual(secretDigest, sha256(password)));
            case "SHA256-CRYPT":
                return shaCrypt(scheme, SHA256_CRYPT, secret, false);
            case "SHA512-CRYPT":
                return shaCrypt(scheme, SHA512_CRYPT, secret, true);
            case "BLF-CRYPT":
                return bcrypt(scheme, secret);
            case "CRYPT":
                return crypt(secret);
            case "SSHA256":
                return ssha(scheme, "SHA-256", 32, secret);
            case "SSHA512":
                return ssha(scheme, "SHA-512", 64, secret);
            case "ARGON2ID", "ARGON2I":
                return argon2(scheme, secret);
            default:
                throw new IllegalArgumentException("unknown password scheme {" + scheme + "}; supported: PLAIN, "
                        + "CLEARTEXT, SHA256-CRYPT, SHA512-CRYPT, SSHA256, SSHA512, BLF-CRYPT, ARGON2ID, ARGON2I, "
                        + "CRYPT ($5$, $6$, $2a$, $2b$, $2y$)");
        }
    }

    private static Verifier crypt(String secret) {
        if (secret.startsWith("$5$")) {
            return shaCrypt("CRYPT", SHA256_CRYPT, secret, false);
        }
        if (secret.startsWith("$6$")) {
            return shaCrypt("CRYPT", SHA512_CRYPT, secret, true);
        }
        if (secret.startsWith("$2")) {
            return bcrypt("CRYPT", secret);
        }
        throw new IllegalArgumentException("CRYPT secret of an unsupported kind (or a scheme missing): only $5$, $6$ "
                + "and $2a$/$2b$/$2y$ hashes are supported; write other schemes as {SCHEME}secret");
    }

    private static Verifier shaCrypt(String scheme, Pattern format, String secret, boolean sha512) {
        Matcher matcher = format.matcher(secret);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(scheme + " secret is not a " + (sha512 ? "$6$" : "$5$")
                    + " SHA-crypt hash");
        }
        if (matcher.group(1) != null && Long.parseLong(matcher.group(1)) > MAX_SHA_CRYPT_ROUNDS) {
            throw new IllegalArgumentException(scheme + " secret has rounds=" + matcher.group(1)
                    + ", more than the " + MAX_SHA_CRYPT_ROUNDS + " supported");
        }
        byte[] expected = secret.getBytes(StandardCharsets.US_ASCII);
        return new Verifier(scheme, password -> {
            try {
                String actual = sha512 ? Sha2Crypt.sha512Crypt(password, secret)
                        : Sha2Crypt.sha256Crypt(password, secret);
                return MessageDigest.isEqual(expected, actual.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }

    private static Verifier bcrypt(String scheme, String secret) {
        Matcher matcher = BCRYPT.matcher(secret);
        int cost = matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException(scheme + " secret is not a $2a$, $2b$ or $2y$ bcrypt hash with a cost "
                    + "of 04 to 31");
        }
        return new Verifier(scheme, password -> {
            return OpenBSDBCrypt.checkPassword(secret, password);
        });
    }

    private static Verifier ssha(String scheme, String algorithm, int digestLength, String secret) {
        byte[] decoded = base64(scheme, secret);
        if (decoded.length <= digestLength) {
            throw new IllegalArgumentException(scheme + " secret is too short for a digest and a salt");
        }
        byte[] digest = Arrays.copyOf(decoded, digestLength);
        byte[] salt = Arrays.copyOfRange(decoded, digestLength, decoded.length);
        return new Verifier(scheme, password -> {
            MessageDigest md = digest(algorithm);
            md.update(password);
            md.update(salt);
            return MessageDigest.isEqual(digest, md.digest());
        });
    }

    private static Verifier argon2(String scheme, String secret) {
        Matcher matcher = ARGON2.matcher(secret);
        if (!matcher.matches() || !matcher.group(1).equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException(scheme + " secret is not a $" + scheme.toLowerCase(Locale.ROOT)
                    + "$v=..$m=..,t=..,p=..$salt$hash string");
        }
        int version = matcher.group(2) == null ? Argon2Parameters.ARGON2_VERSION_10 : parseInt(matcher.group(2));
        if (version != Argon2Parameters.ARGON2_VERSION_10 && version != Argon2Parameters.ARGON2_VERSION_13) {
            throw new IllegalArgumentException(scheme + " secret has version v=" + matcher.group(2)
                    + "; supported are 16 and 19");
        }
        long memory = Long.parseLong(matcher.group(3));
        long iterations = Long.parseLong(matcher.group(4));
        int lanes = parseInt(matcher.group(5));
        if (memory > MAX_ARGON2_MEMORY_KIB || lanes < 1 || iterations < 1 || iterations > 1_000
                || memory < 8L * lanes) {
            throw new IllegalArgumentException(scheme + " secret has parameters out of range (m up to "
                    + MAX_ARGON2_MEMORY_KIB + " KiB and at least 8 per lane, t from 1 to 1000, p at least 1)");
        }
        byte[] salt = base64(scheme, matcher.group(6));
        byte[] hash = base64(scheme, matcher.group(7));
        if (hash.length < 4 || salt.length < 1) {
            throw new IllegalArgumentException(scheme + " secret has a hash shorter than 4 octets or no salt");
        }
        Argon2Parameters parameters = new Argon2Parameters.Builder(scheme.equals("ARGON2ID")
                ? Argon2Parameters.ARGON2_id : Argon2Parameters.ARGON2_i)
                .withVersion(version)
                .withMemoryAsKB((int) memory)
                .withIterations((int) iterations)
                .withParallelism(lanes)
                .withSalt(salt)
                .build();
        return new Verifier(scheme, password -> {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] actual = new byte[hash.length];
            generator.generateBytes(password, actual);
            return MessageDigest.isEqual(hash, actual);
        });
    }

    private static byte[] base64(String scheme, String encoded) {
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(scheme + " secret is not valid Base64");
        }
    }

    private static int parseInt(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] sha256(byte[] input) {
        return digest("SHA-256").digest(input);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
