package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.MessageInfo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * RFC 1939 unique-ids from Maildir base names.
 *
 * <p>A base name of 1 to 70 characters in 0x21..0x7E is its own unique-id: Courier and qmail derive theirs the same
 * way, so clients that move to Poplar from them do not download everything again. Any other base name (too long, or
 * with a space, a control or a non-ASCII character) is hashed: up to 40 characters of the name, each one outside
 * 0x21..0x7E replaced by {@code _}, then {@code ~} and 27 characters of the URL-safe Base64 of its SHA-256 (162 bits).
 * Either way the id depends on the base name only, which never changes for the life of a message: it survives flag
 * changes, the move from {@code new/} to {@code cur/}, restarts and other hosts.
 */
public final class UniqueIds {

    private static final int READABLE_PREFIX = 40;
    private static final int HASH_CHARS = 27;

    private UniqueIds() {
    }

    /**
     * The unique-id of a message.
     *
     * @param base the base name of its file
     * @return a valid RFC 1939 unique-id
     */
    public static String of(String base) {
        return isValid(base) ? base : hashed(base);
    }

    /**
     * The hashed form of a base name, also for one that would be a valid unique-id itself: what a message gets when
     * its own unique-id is taken by another message of the mailbox.
     *
     * @param base the base name of its file
     * @return a valid RFC 1939 unique-id with {@code ~} and 27 characters of hash
     */
    public static String hashed(String base) {
        StringBuilder uid = new StringBuilder(READABLE_PREFIX + 1 + HASH_CHARS);
        for (int i = 0; i < base.length() && uid.length() < READABLE_PREFIX; i++) {
            char c = base.charAt(i);
            uid.append(c >= 0x21 && c <= 0x7E ? c : '_');
        }
        byte[] digest = sha256(base.getBytes(StandardCharsets.UTF_8));
        uid.append('~').append(Base64.getUrlEncoder().withoutPadding().encodeToString(digest), 0, HASH_CHARS);
        return uid.toString();
    }

    /**
     * Whether a text is a valid RFC 1939 unique-id: 1 to 70 characters in 0x21..0x7E.
     *
     * @param base the text
     * @return {@code true} if it is
     */
    public static boolean isValid(String base) {
        if (base.isEmpty() || base.length() > MessageInfo.MAX_UID_LENGTH) {
            return false;
        }
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
