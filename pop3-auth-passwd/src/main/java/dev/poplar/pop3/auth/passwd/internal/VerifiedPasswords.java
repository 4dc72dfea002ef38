package dev.poplar.pop3.auth.passwd.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The passwords that matched their users' entries lately, each as a keyed SHA-256 (HMAC) of the user name and the
 * password under a random key of this instance, bound to the loaded users file that accepted it: a reload (a changed
 * password, a removed user) makes every entry of the previous file useless at once. An entry holds its file weakly,
 * so entries of earlier files do not keep those in memory (a file rewritten every minute under a time to live of an
 * hour would otherwise keep sixty copies). Bounded in number and age. Thread-safe.
 */
public final class VerifiedPasswords {

    private static final String HMAC = "HmacSHA256";

    /** A remembered verification: the file that accepted it (while it is in memory) and the password's digest. */
    private record Verified(WeakReference<UserTable> table, byte[] digest) {
    }

    private final SecretKeySpec key;
    private final Cache<String, Verified> verified;

    /**
     * Creates an empty cache.
     *
     * @param timeToLive how long a verification is remembered after it ran
     * @param maximumUsers how many users' verifications are remembered at most
     * @param ticker the time source of the ages
     */
    public VerifiedPasswords(Duration timeToLive, int maximumUsers, Ticker ticker) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, HMAC);
        this.verified = Caffeine.newBuilder().expireAfterWrite(timeToLive).maximumSize(maximumUsers)
                .ticker(ticker).build();
    }

    /**
     * The digest of a password attempt, computed for every attempt so that each costs the same whether or not the
     * user has an entry.
     *
     * @param user the user name
     * @param password the password's octets
     * @return the keyed digest of both
     */
    public byte[] digest(String user, byte[] password) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JDK", e);
        }
    }

    /**
     * Whether this digest matched the user's entry of this very file lately. The comparison takes the same time
     * wherever the digests differ.
     *
     * @param user the user name
     * @param table the users file now in force
     * @param digest the attempt's {@link #digest}
     * @return whether it may be accepted without checking the entry again
     */
    public boolean matches(String user, UserTable table, byte[] digest) {
        Verified entry = verified.getIfPresent(user);
        return entry != null && entry.table().get() == table && ConstantTime.equal(entry.digest(), digest);
    }

    /**
     * Remembers a password that has just matched the user's entry of this file.
     *
     * @param user the user name
     * @param table the users file that accepted it
     * @param digest the attempt's {@link #digest}
     */
    public void remember(String user, UserTable table, byte[] digest) {
        verified.put(user, new Verified(new WeakReference<>(table), digest));
    }

    /**
     * How many verifications are remembered now, after pending upkeep; for tests.
     *
     * @return an estimate of the number of users remembered
     */
    public long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }
}
