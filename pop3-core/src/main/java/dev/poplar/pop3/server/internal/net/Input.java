package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.internal.codec.Line;
import dev.poplar.pop3.server.internal.codec.LineDecoder;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

import java.util.ArrayDeque;

/**
 * A connection's input: received octets kept as they came and cut into lines only when the session takes one. While
 * octets wait, the connection reads no more from the socket, so input memory stays bounded (one read, or the records
 * one read decrypted). I/O thread only.
 */
final class Input {

    private final IoSession io;
    private final LineDecoder decoder;
    private final ArrayDeque<IoBuffer> buffers = new ArrayDeque<>(2);
    private boolean readSuspended;

    /**
     * Creates the input of a connection.
     *
     * @param io the connection
     * @param maxLineOctets the longest line, line end included
     */
    Input(IoSession io, int maxLineOctets) {
        this.io = io;
        this.decoder = new LineDecoder(maxLineOctets);
    }

    void add(IoBuffer buffer) {
        buffers.add(buffer);
    }

    /** @return the next complete line, or {@code null} until more octets arrive */
    Line next() {
        while (!buffers.isEmpty()) {
            IoBuffer buffer = buffers.peek();
            Line line = decoder.next(buffer.buf());
            if (!buffer.hasRemaining()) {
                buffers.poll();
            }
            if (line != null) {
                return line;
            }
        }
        return null;
    }

    /**
     * Drops whatever was received and not yet read as a line (after {@code STLS}: RFC 2595 section 4).
     *
     * @return how many octets were dropped
     */
    int discard() {
        int discarded = 0;
        for (IoBuffer buffer : buffers) {
            discarded += buffer.remaining();
        }
        buffers.clear();
        decoder.reset();
        return discarded;
    }

    /** Reads from the socket only while no received octets wait. */
    void regulate() {
        boolean waiting = !buffers.isEmpty();
        if (waiting != readSuspended) {
            readSuspended = waiting;
            if (waiting) {
                io.suspendRead();
            } else {
                io.resumeRead();
            }
        }
    }
}
