package dev.poplar.pop3.auth.passwd.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Small helpers shared by the schemes. */
final class Secrets {

    private Secrets() {
    }

    /**
     * Decodes Base64 (padding optional) of a secret.
     *
     * @param scheme the scheme, for the message
     * @param encoded the text
     * @return the octets
     * @throws IllegalArgumentException naming the scheme, never the secret
     */
    static byte[] base64(String scheme, String encoded) {
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(scheme + " secret is not valid Base64");
        }
    }

    static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /**
     * Parses digits that a pattern has already matched.
     *
     * @param digits the digits
     * @return the number, or -1 if it does not fit an int
     */
    static int parseInt(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
