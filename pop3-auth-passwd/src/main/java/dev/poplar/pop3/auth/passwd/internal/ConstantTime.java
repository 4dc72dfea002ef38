package dev.poplar.pop3.auth.passwd.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The one place where this module compares secrets (digests, derived keys, hashes). Every comparison of something a
 * client presented with something stored goes through here, so that none takes a time that depends on where the two
 * first differ.
 */
public final class ConstantTime {

    private ConstantTime() {
    }

    /**
     * Compares two byte strings in time that depends on their length only, never on their content.
     *
     * @param expected the stored value
     * @param actual the computed value
     * @return whether they are equal
     */
    public static boolean equal(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    /**
     * Compares a computed digest with the hexadecimal digits a client sent (in either case), in time that does not
     * depend on where they differ.
     *
     * @param expected the computed digest
     * @param hex what the client sent
     * @return whether the client sent the digest
     */
    public static boolean hexEqual(byte[] expected, String hex) {
        byte[] wanted = HexFormat.of().formatHex(expected).getBytes(StandardCharsets.US_ASCII);
        return equal(wanted, hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
