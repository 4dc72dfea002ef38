package dev.poplar.pop3.server.internal.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits received octets into lines: CRLF-terminated as RFC 1939 requires, a bare LF tolerated. Lines longer than the
 * limit (line end included) are discarded up to their end and reported once as {@link Line#tooLong(int)}, so one bad
 * line costs the client an error reply, not the connection. Memory is bounded by the limit.
 *
 * <p>Not thread-safe: one decoder per connection, used by one thread at a time.
 */
public final class LineDecoder {

    private final int maxOctets;
    private byte[] buffer;
    private int length;
    private int discarded;

    /**
     * Creates a decoder.
     *
     * @param maxOctets the longest line accepted, line end included
     */
    public LineDecoder(int maxOctets) {
        if (maxOctets < 3) {
            throw new IllegalArgumentException("maxOctets must be at least 3: " + maxOctets);
        }
        this.maxOctets = maxOctets;
        // Grows on demand: an idle connection holds a small buffer, not the SASL limit.
        this.buffer = new byte[Math.min(128, maxOctets - 1)];
    }

    /**
     * Decodes at most one line from {@code in}, consuming the octets it used. Call again while it returns lines.
     *
     * @param in received octets; its position advances past what was consumed
     * @return the next complete line, or {@code null} if {@code in} ran out first (the partial line is kept)
     */
    public Line next(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (discarded > 0) {
                discarded++;
                if (b == '\n') {
                    int octets = discarded;
                    discarded = 0;
                    return Line.tooLong(octets);
                }
                continue;
            }
            if (b == '\n') {
                int end = length > 0 && buffer[length - 1] == '\r' ? length - 1 : length;
                int octets = length + 1;
                length = 0;
                Line line = new Line(decode(end), octets, false);
                if (buffer.length > 1024) {
                    buffer = new byte[128];
                }
                return line;
            }
            // The line end counts towards the limit: the LF still to come needs one octet.
            if (length >= maxOctets - 1) {
                discarded = length + 1;
                length = 0;
                continue;
            }
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, maxOctets - 1));
            }
            buffer[length++] = b;
        }
        return null;
    }

    /**
     * Whether octets of an unfinished line are held.
     *
     * @return {@code true} if a partial line is buffered or being discarded
     */
    public boolean hasPartialLine() {
        return length > 0 || discarded > 0;
    }

    /** Forgets any partial line, as after a TLS upgrade. */
    public void reset() {
        length = 0;
        discarded = 0;
    }

    private String decode(int end) {
        boolean ascii = true;
        for (int i = 0; i < end; i++) {
            if (buffer[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(buffer, 0, end, StandardCharsets.ISO_8859_1);
        }
        // Malformed sequences become U+FFFD, as a replacing decoder would make them, without a decoder per connection.
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }
}
