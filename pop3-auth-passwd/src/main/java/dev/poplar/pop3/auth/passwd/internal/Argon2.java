package dev.poplar.pop3.auth.passwd.internal;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Argon2 ({@code $argon2id$}, {@code $argon2i$}; PHC strings): Dovecot's {@code ARGON2ID} and {@code ARGON2I}. */
final class Argon2 {

    /** The most memory, in KiB, an entry may ask for at each verification (1 GiB). */
    static final int MAX_MEMORY_KIB = 1 << 20;

    /** The most passes an entry may ask for. */
    static final int MAX_PASSES = 1000;

    /** The salt length {@code doveadm pw} (libsodium) uses. */
    static final int SALT_LENGTH = 16;

    /** The hash length {@code doveadm pw} (libsodium) uses. */
    static final int HASH_LENGTH = 32;

    private static final Pattern FORMAT = Pattern.compile(
            "\\$(argon2id|argon2i)\\$(?:v=(\\d+)\\$)?m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,3})"
                    + "\\$([A-Za-z0-9+/]+={0,2})\\$([A-Za-z0-9+/]+={0,2})");

    private Argon2() {
    }

    /**
     * The parameters of a hash.
     *
     * @param id Argon2id rather than Argon2i
     * @param version 16 or 19
     * @param memoryKib memory in KiB
     * @param passes the number of passes ({@code t})
     * @param lanes the parallelism ({@code p})
     * @param salt the salt
     */
    record Parameters(boolean id, int version, int memoryKib, int passes, int lanes, byte[] salt) {

        Argon2Parameters bouncyCastle() {
            return new Argon2Parameters.Builder(id ? Argon2Parameters.ARGON2_id : Argon2Parameters.ARGON2_i)
                    .withVersion(version)
                    .withMemoryAsKB(memoryKib)
                    .withIterations(passes)
                    .withParallelism(lanes)
                    .withSalt(salt)
                    .build();
        }

        String costProfile() {
            return (id ? "ARGON2ID" : "ARGON2I") + " v=" + version + " m=" + memoryKib + " t=" + passes + " p="
                    + lanes;
        }
    }

    static StoredPassword parse(String scheme, String secret) {
        Matcher matcher = FORMAT.matcher(secret);
        if (!matcher.matches() || !matcher.group(1).equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException(scheme + " secret is not a $" + scheme.toLowerCase(Locale.ROOT)
                    + "$v=..$m=..,t=..,p=..$salt$hash string");
        }
        int version = matcher.group(2) == null ? Argon2Parameters.ARGON2_VERSION_10
                : Secrets.parseInt(matcher.group(2));
        if (version != Argon2Parameters.ARGON2_VERSION_10 && version != Argon2Parameters.ARGON2_VERSION_13) {
            throw new IllegalArgumentException(scheme + " secret has version v=" + matcher.group(2)
                    + "; supported are 16 and 19");
        }
        long memory = Long.parseLong(matcher.group(3));
        long passes = Long.parseLong(matcher.group(4));
        int lanes = Secrets.parseInt(matcher.group(5));
        if (memory > MAX_MEMORY_KIB || lanes < 1 || passes < 1 || passes > MAX_PASSES || memory < 8L * lanes) {
            throw new IllegalArgumentException(scheme + " secret has parameters out of range (m up to "
                    + MAX_MEMORY_KIB + " KiB and at least 8 per lane, t from 1 to " + MAX_PASSES
                    + ", p at least 1)");
        }
        byte[] salt = Secrets.base64(scheme, matcher.group(6));
        byte[] hash = Secrets.base64(scheme, matcher.group(7));
        if (hash.length < 4 || salt.length < 1) {
            throw new IllegalArgumentException(scheme + " secret has a hash shorter than 4 octets or no salt");
        }
        Parameters parameters = new Parameters(scheme.equals("ARGON2ID"), version, (int) memory, (int) passes, lanes,
                salt);
        Argon2Parameters bc = parameters.bouncyCastle();
        return StoredPassword.hashed(scheme, parameters.costProfile(),
                password -> ConstantTime.equal(hash, derive(bc, password, hash.length)));
    }

    /**
     * The parameters {@code doveadm pw -s ARGON2ID|ARGON2I -r ROUNDS} chooses (libsodium's limits): for Argon2id,
     * {@code t} is the rounds but at least 3, and the memory 64 MiB below 3 rounds, 256 MiB at 3, 1 GiB from 4; for
     * Argon2i, {@code t} is the rounds (at least 3), and the memory 32 MiB below 6 rounds, 128 MiB below 8, 512 MiB
     * from 8.
     *
     * @param id Argon2id rather than Argon2i
     * @param rounds the rounds
     * @param salt the salt
     * @return the parameters
     */
    static Parameters doveadmParameters(boolean id, int rounds, byte[] salt) {
        if (rounds < (id ? 1 : 3) || rounds > MAX_PASSES) {
            throw new IllegalArgumentException("rounds of " + (id ? "ARGON2ID" : "ARGON2I") + " must be from "
                    + (id ? 1 : 3) + " to " + MAX_PASSES + ": " + rounds);
        }
        int memoryKib;
        if (id) {
            memoryKib = rounds >= 4 ? 1 << 20 : rounds == 3 ? 1 << 18 : 1 << 16;
        } else {
            memoryKib = rounds >= 8 ? 1 << 19 : rounds >= 6 ? 1 << 17 : 1 << 15;
        }
        return new Parameters(id, Argon2Parameters.ARGON2_VERSION_13, memoryKib, Math.max(rounds, 3), 1, salt);
    }

    /**
     * Hashes a password into a PHC string, as libsodium writes it (Base64 without padding).
     *
     * @param password the password, UTF-8
     * @param parameters the parameters, salt included
     * @return the hash, without the scheme prefix
     */
    static String hash(byte[] password, Parameters parameters) {
        byte[] hash = derive(parameters.bouncyCastle(), password, HASH_LENGTH);
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return "$" + (parameters.id() ? "argon2id" : "argon2i") + "$v=" + parameters.version() + "$m="
                + parameters.memoryKib() + ",t=" + parameters.passes() + ",p=" + parameters.lanes() + "$"
                + base64.encodeToString(parameters.salt()) + "$" + base64.encodeToString(hash);
    }

    /**
     * The salt of a PHC string.
     *
     * @param hash the string
     * @return the salt
     */
    static byte[] saltOf(String hash) {
        Matcher matcher = FORMAT.matcher(hash);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not an Argon2 hash");
        }
        return Base64.getDecoder().decode(matcher.group(6));
    }

    private static byte[] derive(Argon2Parameters parameters, byte[] password, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }
}
