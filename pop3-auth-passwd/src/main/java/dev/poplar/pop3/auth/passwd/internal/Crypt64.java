package dev.poplar.pop3.auth.passwd.internal;

import java.security.SecureRandom;

/** The alphabets of crypt(3) strings. */
final class Crypt64 {

    /** A character of a crypt salt or hash, as a regular expression class. */
    static final String CHARS = "[./0-9A-Za-z]";

    /** The crypt alphabet: SHA-crypt salts. */
    private static final String CRYPT = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** The bcrypt alphabet: the same characters in another order. */
    private static final String BCRYPT = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Crypt64() {
    }

    /**
     * A random SHA-crypt salt.
     *
     * @param random the source
     * @param length the number of characters
     * @return the salt
     */
    static String randomSalt(SecureRandom random, int length) {
        StringBuilder salt = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            salt.append(CRYPT.charAt(random.nextInt(CRYPT.length())));
        }
        return salt.toString();
    }

    /**
     * Decodes bcrypt's Base64 (its alphabet, no padding), as found in the salt of a {@code $2y$} hash.
     *
     * @param encoded the characters
     * @param octets how many octets to decode
     * @return the octets
     * @throws IllegalArgumentException if a character is not of the alphabet or there are too few
     */
    static byte[] decodeBcrypt(String encoded, int octets) {
        byte[] out = new byte[octets];
        int bits = 0;
        int buffer = 0;
        int written = 0;
        for (int i = 0; i < encoded.length() && written < octets; i++) {
            int value = BCRYPT.indexOf(encoded.charAt(i));
            if (value < 0) {
                throw new IllegalArgumentException("not bcrypt Base64");
            }
            buffer = buffer << 6 | value;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[written++] = (byte) (buffer >>> bits);
            }
        }
        if (written < octets) {
            throw new IllegalArgumentException("too short for " + octets + " octets");
        }
        return out;
    }
}
