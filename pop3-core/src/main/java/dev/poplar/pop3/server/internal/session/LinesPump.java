package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.internal.command.Reply;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/** Streams a generated multi-line reply ({@code CAPA}, {@code LIST}, {@code UIDL}), dot-stuffing each line. */
final class LinesPump extends Pump {

    private static final byte[] TERMINATOR = {'.', '\r', '\n'};

    private final Iterator<String> lines;
    private byte[] pending;

    LinesPump(Pop3Session session, Reply.Lines reply) {
        super(session, reply.statusLine());
        this.lines = reply.lines();
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
            }
            if (out.remaining() < pending.length) {
                return false;
            }
            out.put(pending);
            pending = null;
        }
    }

    @Override
    void release() {
    }
}
