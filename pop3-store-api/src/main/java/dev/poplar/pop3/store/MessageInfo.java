package dev.poplar.pop3.store;

/**
 * What POP3 needs to know about one message without reading it: its unique id and its size.
 *
 * @param uid the RFC 1939 unique-id: 1 to 70 characters in the range 0x21 to 0x7E, stable across sessions and never
 *     reused for another message of the same mailbox
 * @param size the size in octets as POP3 sends it: every line ended by CRLF (a stored bare LF counts as two
 *     octets), plus a final CRLF if the stored content does not end with a line end; before dot-stuffing. See
 *     {@link ContentFacts} to compute it.
 */
public record MessageInfo(String uid, long size) {

    /** The longest unique-id RFC 1939 allows. */
    public static final int MAX_UID_LENGTH = 70;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if the uid is empty, longer than 70 characters or holds a character outside
     *     0x21..0x7E, or the size is negative
     */
    public MessageInfo {
        if (uid == null || uid.isEmpty() || uid.length() > MAX_UID_LENGTH) {
            throw new IllegalArgumentException("uid must have 1 to 70 characters: " + uid);
        }
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new IllegalArgumentException("uid has a character outside 0x21..0x7E at index " + i);
            }
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }
}
