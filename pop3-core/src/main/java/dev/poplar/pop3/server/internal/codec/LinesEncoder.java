package dev.poplar.pop3.server.internal.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Turns generated lines ({@code CAPA}, {@code LIST}, {@code UIDL}) into the body of a multi-line response: each line
 * dot-stuffed and ended with CRLF, then the terminating {@code .CRLF}. Lines are taken from the iterator one at a
 * time, so a listing of any size is never held whole; a line longer than the room left is split across chunks.
 * Not thread-safe.
 */
public final class LinesEncoder {

    private static final byte[] TERMINATOR = {'.', '\r', '\n'};

    private final Iterator<String> lines;
    private byte[] pending;
    private int pendingOffset;
    private boolean terminated;

    /**
     * Creates an encoder.
     *
     * @param lines the lines, without line ends
     */
    public LinesEncoder(Iterator<String> lines) {
        this.lines = lines;
    }

    /**
     * Fills {@code out} with the next octets.
     *
     * @param out the chunk to fill
     * @return {@code true} once the terminator has been written
     */
    public boolean fill(ByteBuffer out) {
        while (!terminated) {
            if (pending == null) {
                if (!lines.hasNext()) {
                    if (out.remaining() < TERMINATOR.length) {
                        return false;
                    }
                    out.put(TERMINATOR);
                    terminated = true;
                    return true;
                }
                String line = lines.next();
                pending = ((line.startsWith(".") ? "." : "") + line + "\r\n").getBytes(StandardCharsets.UTF_8);
                pendingOffset = 0;
            }
            int n = Math.min(out.remaining(), pending.length - pendingOffset);
            out.put(pending, pendingOffset, n);
            pendingOffset += n;
            if (pendingOffset < pending.length) {
                return false;
            }
            pending = null;
        }
        return true;
    }
}
