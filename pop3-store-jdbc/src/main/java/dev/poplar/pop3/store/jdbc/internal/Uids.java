package dev.poplar.pop3.store.jdbc.internal;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * New unique-ids: 128 random bits in URL-safe base 64, 22 characters of {@code A-Z a-z 0-9 - _} (all within the
 * 0x21..0x7E that RFC 1939 allows). Random rather than derived from row ids, so that a database restored from a backup
 * or a sequence reset never hands a client an id it has seen for another message. Thread-safe.
 */
public final class Uids {

    private static final int BYTES = 16;

    private final SecureRandom random = new SecureRandom();
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

    /**
     * A new unique-id.
     *
     * @return 22 characters
     */
    public String next() {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return encoder.encodeToString(bytes);
    }
}
