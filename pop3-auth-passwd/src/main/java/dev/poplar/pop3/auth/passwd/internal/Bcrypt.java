package dev.poplar.pop3.auth.passwd.internal;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}): Dovecot's {@code BLF-CRYPT}. */
final class Bcrypt {

    /** The lowest cost bcrypt allows. */
    static final int MIN_COST = 4;

    /** The highest cost bcrypt allows. */
    static final int MAX_COST = 31;

    /** The cost {@code doveadm pw} uses. */
    static final int DEFAULT_COST = 5;

    /** The salt length of bcrypt. */
    static final int SALT_LENGTH = 16;

    private static final Pattern FORMAT = Pattern.compile(
            "\\$2[aby]\\$(\\d\\d)\\$(" + Crypt64.CHARS + "{22})" + Crypt64.CHARS + "{31}");

    private Bcrypt() {
    }

    static StoredPassword parse(String scheme, String secret) {
        Matcher matcher = FORMAT.matcher(secret);
        int cost = matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException(scheme + " secret is not a $2a$, $2b$ or $2y$ bcrypt hash with a cost "
                    + "of 04 to 31");
        }
        return StoredPassword.hashed(scheme, "BLF-CRYPT cost=" + cost,
                password -> OpenBSDBCrypt.checkPassword(secret, password));
    }

    /**
     * The salt of a bcrypt hash.
     *
     * @param hash a {@code $2y$} hash
     * @return its 16 octets of salt
     */
    static byte[] saltOf(String hash) {
        Matcher matcher = FORMAT.matcher(hash);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a bcrypt hash");
        }
        return Crypt64.decodeBcrypt(matcher.group(2), SALT_LENGTH);
    }

    /**
     * Hashes a password as {@code doveadm pw -s BLF-CRYPT} does ({@code $2y$}).
     *
     * @param password the password, UTF-8; bcrypt uses the first 72 octets
     * @param salt 16 octets
     * @param cost 4 to 31
     * @return the hash, without the scheme prefix
     */
    static String hash(byte[] password, byte[] salt, int cost) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("rounds (the cost) of BLF-CRYPT must be from " + MIN_COST + " to "
                    + MAX_COST + ": " + cost);
        }
        return OpenBSDBCrypt.generate("2y", password, salt, cost);
    }
}
