package dev.poplar.pop3.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Digest helpers shared by the credential kinds. */
final class Digests {

    private Digests() {
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }

    /**
     * Compares a computed digest with the hexadecimal digits a client sent, in time independent of where they differ.
     *
     * @param expected the computed digest
     * @param hex what the client sent, in either case
     * @return {@code true} if equal
     */
    static boolean hexEquals(byte[] expected, String hex) {
        byte[] wanted = HexFormat.of().formatHex(expected).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(wanted, hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
