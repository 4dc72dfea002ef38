package dev.poplar.pop3.server.internal.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/** Streams a generated multi-line reply ({@code CAPA}, {@code LIST}, {@code UIDL}), dot-stuffing each line. */
final class LinesPump extends Pump {

    private static final byte[] TERMINATOR = {'.', '\r', '\n'};

    private final Iterator<String> lines;
    private byte[] pending;
    private int pendingOffset;

    LinesPump(Pop3Session session, String statusLine, Iterator<String> lines) {
        super(session, statusLine);
        this.lines = lines;
    }

    @Override
    boolean fill(ByteBuffer out) {
        while (true) {
            if (pending == null) {
                if (!lines.hasNext()) {
                    if (out.remaining() < TERMINATOR.length) {
                        return false;
                    }
                    out.put(TERMINATOR);
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
    }

    @Override
    void release() {
    }
}
