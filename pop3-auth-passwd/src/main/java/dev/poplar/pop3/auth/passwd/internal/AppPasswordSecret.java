package dev.poplar.pop3.auth.passwd.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * The secrets of app passwords: generated, never chosen, 100 random bits written as four groups of five characters
 * of an alphabet without look-alikes ({@code k7qmz-4ta9c-...}). A client may send them with or without the dashes,
 * with spaces, in either case: they are compared in canonical form (lower case, no dashes or spaces).
 *
 * <p>Since the secret is random and long, it is stored as its SHA-256 (Dovecot's {@code {SHA256}} scheme): a slow
 * hash would protect nothing more, and one fast digest per attempt, whoever the user, is what keeps attempts at the
 * same cost.
 */
public final class AppPasswordSecret {

    /** 32 characters: the digits and lower-case letters without 0, 1, l and o. */
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final int GROUPS = 4;
    private static final int GROUP_LENGTH = 5;

    private AppPasswordSecret() {
    }

    /**
     * A new secret.
     *
     * @param random the source
     * @return the secret as the user sees it, e.g. {@code k7qmz-4ta9c-wx2pe-h3nvb}
     */
    public static String generate(SecureRandom random) {
        StringBuilder secret = new StringBuilder(GROUPS * (GROUP_LENGTH + 1));
        for (int group = 0; group < GROUPS; group++) {
            secret.append(group > 0 ? "-" : "").append(randomCharacters(random, GROUP_LENGTH));
        }
        return secret.toString();
    }

    /**
     * A new identifier for an app password: eight characters of the same alphabet (40 bits, not a secret).
     *
     * @param random the source
     * @return the identifier
     */
    public static String id(SecureRandom random) {
        return randomCharacters(random, 8);
    }

    private static String randomCharacters(SecureRandom random, int count) {
        StringBuilder characters = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            characters.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return characters.toString();
    }

    /**
     * The digest under which a presented secret is stored and looked up.
     *
     * @param presented what the client sent
     * @return the SHA-256 of its canonical form
     */
    public static byte[] digest(String presented) {
        StringBuilder canonical = new StringBuilder(presented.length());
        presented.codePoints().filter(c -> c != '-' && c != ' ').forEach(canonical::appendCodePoint);
        return Secrets.sha256(canonical.toString().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }
}
