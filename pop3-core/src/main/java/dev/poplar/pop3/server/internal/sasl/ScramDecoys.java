package dev.poplar.pop3.server.internal.sasl;

import dev.poplar.pop3.auth.ScramSecret;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Made-up SCRAM secrets for user names the authenticator does not know (RFC 5802 section 5.1), so that the server's
 * first message looks the same for a user who exists and one who does not: the salt and keys are an HMAC of the user
 * name under a key random per server, stable for each name while the server runs, and the iteration count and salt
 * length are those of the last real secret seen. Thread-safe.
 */
final class ScramDecoys {

    private static final int DEFAULT_ITERATIONS = 4096;
    private static final int DEFAULT_SALT_OCTETS = 16;

    private final byte[] key = new byte[32];
    private final Map<ScramSecret.Algorithm, int[]> shapes = new EnumMap<>(ScramSecret.Algorithm.class);

    ScramDecoys() {
        new SecureRandom().nextBytes(key);
        for (ScramSecret.Algorithm algorithm : ScramSecret.Algorithm.values()) {
            shapes.put(algorithm, new int[] {DEFAULT_ITERATIONS, DEFAULT_SALT_OCTETS});
        }
    }

    /**
     * Notes the shape of a real secret, for the decoys that follow.
     *
     * @param secret a secret the authenticator returned
     */
    void seen(ScramSecret secret) {
        int[] shape = shapes.get(secret.algorithm());
        synchronized (shape) {
            shape[0] = secret.iterations();
            shape[1] = secret.salt().length;
        }
    }

    /**
     * The decoy secret of a user name.
     *
     * @param user the user name
     * @param algorithm the hash
     * @return a secret no password matches (but for a chance of 2^-160 or less)
     */
    ScramSecret decoy(String user, ScramSecret.Algorithm algorithm) {
        int[] shape = shapes.get(algorithm);
        int iterations;
        int saltOctets;
        synchronized (shape) {
            iterations = shape[0];
            saltOctets = shape[1];
        }
        byte[] salt = new byte[0];
        for (int block = 0; salt.length < saltOctets; block++) {
            byte[] more = derive(algorithm, user, "salt" + block);
            byte[] grown = Arrays.copyOf(salt, salt.length + more.length);
            System.arraycopy(more, 0, grown, salt.length, more.length);
            salt = grown;
        }
        return new ScramSecret(algorithm, Arrays.copyOf(salt, saltOctets), iterations,
                Arrays.copyOf(derive(algorithm, user, "stored"), algorithm.octets()),
                Arrays.copyOf(derive(algorithm, user, "server"), algorithm.octets()));
    }

    private byte[] derive(ScramSecret.Algorithm algorithm, String user, String purpose) {
        byte[] input = (algorithm.name() + "\0" + purpose + "\0" + user).getBytes(StandardCharsets.UTF_8);
        return ScramSecret.Algorithm.SHA_256.hmac(key, input);
    }
}
