package dev.poplar.pop3.store;

/**
 * What POP3 needs to know about one message without reading it: its unique id and its size.
 *
 * @param uid the RFC 1939 unique-id: 1 to 70 characters in the range 0x21 to 0x7E, stable across sessions and never
 *     reused for another message of the same mailbox
 * @param size the size in octets as POP3 sends it: every line ended by CRLF (a stored bare LF counts as two
 *     octets), plus a final CRLF if the stored content does not end with a line end; before dot-stuffing. See
 *     {@link ContentFacts} to compute it.
 * @param handle the store's own reference to the message (a file name, a row id, a key), or {@code null}; the server
 *     never looks at it and hands it back with the message in {@link Maildrop#content} and {@link Maildrop#update}.
 *     Read it with {@link #handle(Class)}.
 */
public record MessageInfo(String uid, long size, Object handle) {

    /** The longest unique-id RFC 1939 allows. */
    public static final int MAX_UID_LENGTH = 70;

    /**
     * Validates the fields.
     *
     * @param uid the RFC 1939 unique-id: 1 to 70 characters in the range 0x21 to 0x7E, stable across sessions and never
     *     reused for another message of the same mailbox
     * @param size the size in octets as POP3 sends it: every line ended by CRLF (a stored bare LF counts as two
     *     octets), plus a final CRLF if the stored content does not end with a line end
     * @param handle the store's own reference to the message (a file name, a row id, a key), or {@code null}
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

    /**
     * A message without a store handle.
     *
     * @param uid the unique-id
     * @param size the POP3 size
     * @throws IllegalArgumentException as the canonical constructor
     */
    public MessageInfo(String uid, long size) {
        this(uid, size, null);
    }

    /**
     * The store's handle, typed.
     *
     * @param type the class the store put there
     * @param <T> the handle's type
     * @return the handle
     * @throws IllegalStateException if there is no handle or it is of another type
     */
    public <T> T handle(Class<T> type) {
        if (!type.isInstance(handle)) {
            throw new IllegalStateException("message " + uid + " has no handle of type " + type.getName()
                    + (handle == null ? "" : " (it has a " + handle.getClass().getName() + ")"));
        }
        return type.cast(handle);
    }
}
