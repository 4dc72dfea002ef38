package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.ScramSecret;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dovecot's {@code SCRAM-SHA-1} and {@code SCRAM-SHA-256} (RFC 5802 section 3): {@code iterations,salt,StoredKey,
 * ServerKey} with the last three in Base64. Like Dovecot, the password is hashed as its UTF-8 octets, without
 * SASLprep; the two agree for passwords in printable ASCII.
 */
final class Scram {

    /** The fewest iterations Dovecot accepts (RFC 5802 section 5.1 recommends at least 4096). */
    static final int MIN_ITERATIONS = 4096;

    /** The most iterations accepted, so that one entry cannot stall every login. */
    static final int MAX_ITERATIONS = 10_000_000;

    /** The salt length {@code doveadm pw} uses. */
    static final int SALT_LENGTH = 16;

    private static final Pattern FORMAT = Pattern.compile(
            "(\\d{1,10}),([A-Za-z0-9+/]+={0,2}),([A-Za-z0-9+/]+={0,2}),([A-Za-z0-9+/]+={0,2})");

    private Scram() {
    }

    static StoredPassword parse(String scheme, String secret, ScramSecret.Algorithm algorithm) {
        Matcher matcher = FORMAT.matcher(secret);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(scheme + " secret is not iterations,salt,StoredKey,ServerKey");
        }
        long iterations = Long.parseLong(matcher.group(1));
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException(scheme + " secret has " + iterations + " iterations; from "
                    + MIN_ITERATIONS + " to " + MAX_ITERATIONS + " are accepted");
        }
        byte[] salt = Secrets.base64(scheme, matcher.group(2));
        byte[] storedKey = Secrets.base64(scheme, matcher.group(3));
        byte[] serverKey = Secrets.base64(scheme, matcher.group(4));
        if (salt.length == 0 || storedKey.length != algorithm.octets() || serverKey.length != algorithm.octets()) {
            throw new IllegalArgumentException(scheme + " secret has an empty salt or keys that are not "
                    + algorithm.octets() + " octets long");
        }
        ScramSecret stored = new ScramSecret(algorithm, salt, (int) iterations, storedKey, serverKey);
        return StoredPassword.scram(scheme, algorithm.mechanism() + " i=" + iterations,
                password -> ConstantTime.equal(storedKey, derive(algorithm, password, salt, (int) iterations)
                        .storedKey()), stored);
    }

    /**
     * The keys of a password.
     *
     * @param algorithm the hash
     * @param password the password, UTF-8, used as it is
     * @param salt the salt
     * @param iterations the PBKDF2 iterations
     * @return the keys
     */
    static ScramSecret derive(ScramSecret.Algorithm algorithm, byte[] password, byte[] salt, int iterations) {
        Digest digest = algorithm == ScramSecret.Algorithm.SHA_1 ? new SHA1Digest() : new SHA256Digest();
        PKCS5S2ParametersGenerator pbkdf2 = new PKCS5S2ParametersGenerator(digest);
        pbkdf2.init(password, salt, iterations);
        byte[] salted = ((KeyParameter) pbkdf2.generateDerivedParameters(algorithm.octets() * 8)).getKey();
        byte[] clientKey = algorithm.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = algorithm.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramSecret(algorithm, salt, iterations, algorithm.hash(clientKey), serverKey);
    }

    /**
     * Hashes a password as {@code doveadm pw -s SCRAM-SHA-256} does.
     *
     * @param algorithm the hash
     * @param password the password, UTF-8
     * @param salt the salt (16 octets for {@code doveadm pw})
     * @param iterations at least 4096
     * @return the text, without the scheme prefix
     */
    static String hash(ScramSecret.Algorithm algorithm, byte[] password, byte[] salt, int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("rounds (iterations) of " + algorithm.mechanism() + " must be from "
                    + MIN_ITERATIONS + " to " + MAX_ITERATIONS + ": " + iterations);
        }
        ScramSecret secret = derive(algorithm, password, salt, iterations);
        Base64.Encoder base64 = Base64.getEncoder();
        return iterations + "," + base64.encodeToString(salt) + "," + base64.encodeToString(secret.storedKey()) + ","
                + base64.encodeToString(secret.serverKey());
    }

    /**
     * The salt of a stored secret.
     *
     * @param secret the text
     * @return the salt
     */
    static byte[] saltOf(String secret) {
        return Base64.getDecoder().decode(secret.split(",")[1]);
    }
}
