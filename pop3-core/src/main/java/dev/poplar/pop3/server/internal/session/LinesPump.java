package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.internal.codec.LinesEncoder;

import java.nio.ByteBuffer;
import java.util.Iterator;

/** Streams a generated multi-line reply ({@code CAPA}, {@code LIST}, {@code UIDL}) through a {@link LinesEncoder}. */
final class LinesPump extends Pump {

    private final LinesEncoder encoder;

    LinesPump(Pop3Session session, String statusLine, Iterator<String> lines) {
        super(session, statusLine);
        this.encoder = new LinesEncoder(lines);
    }

    @Override
    boolean fill(ByteBuffer out) {
        return encoder.fill(out);
    }

    @Override
    void release() {
    }
}
