package dev.poplar.pop3.auth.passwd.internal;

import dev.poplar.pop3.auth.ScramSecret;
import dev.poplar.pop3.auth.passwd.PasswdFileException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The users of one version of a users file, and the checks that make every attempt cost the same.
 *
 * <p><b>Uniform cost.</b> A password attempt runs one password check of each cost profile found in the file (an
 * algorithm with its cost parameters: {@code SHA512-CRYPT rounds=5000}, {@code BLF-CRYPT cost=10}, ...), always in
 * the same order: the user's own secret for the profile of the user's entry, and an entry of each other profile as
 * a decoy whose result is ignored. An unknown user gets decoys only. So the work of an attempt depends on
 * the file, not on the user or whether it exists: a file that mixes schemes costs the sum of its profiles at every
 * attempt. APOP and CRAM-MD5 attempts likewise run one keyed MD5 against the user's secret or a random one.
 *
 * <p>Immutable and thread-safe.
 */
public final class UserTable {

    /** The result of a password check. */
    public enum Outcome {
        /** The password is the user's. */
        MATCH,
        /** The user exists; the password is not theirs. */
        MISMATCH,
        /** No such user. */
        UNKNOWN_USER,
        /** The user's secret could not be checked (the hash implementation failed). */
        FAILED
    }

    /** The cost profiles whose check is one fast digest or a comparison. */
    private static final Set<String> FAST_PROFILES = Set.of("PLAIN", "CRAM-MD5", "SSHA256", "SSHA512");

    private final Map<String, StoredPassword> users;
    private final Map<String, StoredPassword> decoys;
    private final byte[] decoyClear;
    private final byte[] decoyCramContext;
    private final boolean allClear;
    private final boolean allCram;
    private final boolean allScram;

    private UserTable(Map<String, StoredPassword> users) {
        this.users = Map.copyOf(users);
        Map<String, StoredPassword> profiles = new LinkedHashMap<>();
        users.values().stream()
                .sorted(Comparator.comparing(StoredPassword::costProfile))
                .forEach(p -> profiles.putIfAbsent(p.costProfile(), p));
        this.decoys = profiles;
        SecureRandom random = new SecureRandom();
        this.decoyClear = new byte[16];
        random.nextBytes(decoyClear);
        this.decoyCramContext = HmacMd5Context.of(decoyClear);
        // A mechanism is offered only if every user can log in with it: a client that sees it offered uses it, and
        // does not fall back to another when the server cannot check it for its user (curl prefers CRAM-MD5).
        this.allClear = !users.isEmpty() && users.values().stream().allMatch(p -> p.plaintext().isPresent());
        this.allCram = !users.isEmpty() && users.values().stream().allMatch(p -> p.cramContext().isPresent());
        this.allScram = !users.isEmpty() && users.values().stream().allMatch(p -> p.scram().isPresent());
    }

    /**
     * Reads a users file.
     *
     * @param file the file
     * @return its users
     * @throws PasswdFileException if it cannot be read, or a line is not valid (naming the line, never a secret)
     */
    public static UserTable parse(Path file) throws PasswdFileException {
        Map<String, StoredPassword> users = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        int number = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                number++;
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new PasswdFileException(file, number, colon == 0 ? "the user name is empty"
                            : "expected user:{SCHEME}secret", null);
                }
                String user = line.substring(0, colon);
                int end = line.indexOf(':', colon + 1);
                String secret = line.substring(colon + 1, end < 0 ? line.length() : end);
                Integer first = lines.putIfAbsent(user, number);
                if (first != null) {
                    throw new PasswdFileException(file, number, "user " + user + " is listed again (first on line "
                            + first + ")", null);
                }
                try {
                    users.put(user, PasswordSchemes.parse(secret));
                } catch (IllegalArgumentException e) {
                    throw new PasswdFileException(file, number, "user " + user + ": " + e.getMessage(), null);
                }
            }
        } catch (CharacterCodingException e) {
            throw new PasswdFileException(file, number + 1, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new PasswdFileException(file, 0, "cannot be read: " + e, e);
        }
        return new UserTable(users);
    }

    /**
     * How many users the file holds.
     *
     * @return the number of users
     */
    public int size() {
        return users.size();
    }

    /**
     * Whether a user is in the file.
     *
     * @param user the user name
     * @return {@code true} if listed
     */
    public boolean contains(String user) {
        return users.containsKey(user);
    }

    /**
     * The cost profiles of the file, in the order every password attempt checks them.
     *
     * @return the profiles
     */
    public List<String> costProfiles() {
        return List.copyOf(decoys.keySet());
    }

    /**
     * The cost profiles of the file whose check is a hash slow by design ({@code SHA*-CRYPT}, {@code BLF-CRYPT},
     * {@code ARGON2*}, {@code SCRAM-*}): all but clear text, CRAM-MD5 contexts and salted SHA-2.
     *
     * @return those profiles, in the order every password attempt checks them
     */
    public List<String> slowProfiles() {
        return decoys.keySet().stream().filter(profile -> !FAST_PROFILES.contains(profile)).toList();
    }

    /**
     * Whether every entry holds its secret in clear (APOP can be verified for everyone).
     *
     * @return {@code true} if so
     */
    public boolean verifiesApop() {
        return allClear;
    }

    /**
     * Whether every entry is in clear or a CRAM-MD5 context (CRAM-MD5 can be verified for everyone).
     *
     * @return {@code true} if so
     */
    public boolean verifiesCramMd5() {
        return allCram;
    }

    /**
     * Whether every entry holds SCRAM keys.
     *
     * @return {@code true} if so
     */
    public boolean servesScram() {
        return allScram;
    }

    /**
     * The scheme of a user's entry, for logs.
     *
     * @param user the user
     * @return the scheme, or {@code none} for an unknown user
     */
    public String schemeOf(String user) {
        StoredPassword entry = users.get(user);
        return entry == null ? "none" : entry.scheme();
    }

    /**
     * Checks a password, running one check per cost profile of the file (see the class description).
     *
     * @param user the user name
     * @param password the password, UTF-8
     * @param listener told of each check
     * @return the outcome
     */
    public Outcome checkPassword(String user, byte[] password, VerificationListener listener) {
        StoredPassword entry = users.get(user);
        Outcome outcome = Outcome.UNKNOWN_USER;
        for (StoredPassword decoy : decoys.values()) {
            boolean real = entry != null && entry.costProfile().equals(decoy.costProfile());
            Outcome checked = check(real ? entry : decoy, password, listener);
            if (real) {
                outcome = checked;
            }
        }
        return outcome;
    }

    /** The one way a stored password is checked, the user's own or a decoy: the listener hears of every check. */
    private static Outcome check(StoredPassword stored, byte[] password, VerificationListener listener) {
        try {
            return stored.matches(password) ? Outcome.MATCH : Outcome.MISMATCH;
        } catch (RuntimeException e) {
            return Outcome.FAILED;
        } finally {
            listener.ran(stored.costProfile());
        }
    }

    /**
     * Checks an APOP digest (RFC 1939 section 7): the MD5 of the timestamp and the user's clear-text secret, or of a
     * random secret for a user without one.
     *
     * @param user the user name
     * @param timestamp the greeting's timestamp
     * @param digest the client's hexadecimal digest
     * @param listener told of the check
     * @return whether the user has a clear-text secret and the digest matches it
     */
    public boolean checkApop(String user, String timestamp, String digest, VerificationListener listener) {
        Optional<byte[]> secret = Optional.ofNullable(users.get(user)).flatMap(StoredPassword::plaintext);
        MessageDigest md5 = md5();
        md5.update(timestamp.getBytes(StandardCharsets.US_ASCII));
        md5.update(secret.orElse(decoyClear));
        boolean matches = ConstantTime.hexEqual(md5.digest(), digest);
        listener.ran("APOP");
        return matches && secret.isPresent();
    }

    /**
     * Checks a CRAM-MD5 response (RFC 2195) against the user's HMAC-MD5 context, or a random one for a user without
     * one.
     *
     * @param user the user name
     * @param challenge the challenge the server sent
     * @param digest the client's hexadecimal digest
     * @param listener told of the check
     * @return whether the user has a context and the digest matches it
     */
    public boolean checkCramMd5(String user, String challenge, String digest, VerificationListener listener) {
        Optional<byte[]> context = Optional.ofNullable(users.get(user)).flatMap(StoredPassword::cramContext);
        boolean matches = ConstantTime.hexEqual(HmacMd5Context.response(context.orElse(decoyCramContext), challenge),
                digest);
        listener.ran("CRAM-MD5");
        return matches && context.isPresent();
    }

    /**
     * The SCRAM keys of a user.
     *
     * @param user the user name
     * @param algorithm the hash of the exchange
     * @return the keys, or empty for an unknown user or an entry of another scheme
     */
    public Optional<ScramSecret> scramSecret(String user, ScramSecret.Algorithm algorithm) {
        return Optional.ofNullable(users.get(user)).flatMap(StoredPassword::scram)
                .filter(secret -> secret.algorithm() == algorithm);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
