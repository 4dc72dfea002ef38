package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.internal.Metrics;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;

/**
 * A connection's writes: single-line replies written in one turn of the I/O thread go out together (pipelined
 * commands get their replies in one write, over TLS in one record), and back-pressure: while more than
 * {@value #HIGH_WATER_OCTETS} octets wait to be sent, the connection takes no new command, until the queue has drained
 * to {@value #LOW_WATER_OCTETS}. I/O thread only.
 */
final class Output {

    static final long HIGH_WATER_OCTETS = 256 * 1024;
    static final long LOW_WATER_OCTETS = 64 * 1024;
    private static final int PENDING_LINES_OCTETS = 16 * 1024;

    private final IoSession io;
    private final Metrics metrics;
    /** The first line queued in this turn, not yet copied: most turns write one line, which goes out as it is. */
    private byte[] firstLine;
    private IoBuffer pendingLines;
    private boolean awaitingDrain;

    Output(IoSession io, Metrics metrics) {
        this.io = io;
        this.metrics = metrics;
    }

    /**
     * Writes a message (a chunk, a file region) after the queued lines.
     *
     * @param message the message
     * @return its future
     */
    WriteFuture write(Object message) {
        flush();
        return io.write(message);
    }

    /**
     * Queues a short line to go out with the others written in this turn of the I/O thread.
     *
     * @param line the octets, CRLF included; the caller gives them up (they may be sent as they are)
     */
    void writeLine(byte[] line) {
        if (firstLine == null && pendingLines == null) {
            firstLine = line;
            return;
        }
        if (pendingLines == null) {
            pendingLines = IoBuffer.allocate(Math.max(256, firstLine.length + line.length)).setAutoExpand(true);
            pendingLines.put(firstLine);
            firstLine = null;
        }
        pendingLines.put(line);
        if (pendingLines.position() >= PENDING_LINES_OCTETS) {
            flush();
        }
    }

    /** Writes the queued lines. Called before any other write and at the end of every turn of the I/O thread. */
    void flush() {
        if (firstLine != null) {
            IoBuffer line = IoBuffer.wrap(firstLine);
            firstLine = null;
            io.write(line);
        } else if (pendingLines != null) {
            IoBuffer lines = pendingLines.flip();
            pendingLines = null;
            io.write(lines);
        }
    }

    /** @return whether so much waits to be sent that the connection should take no new command now */
    boolean backedUp() {
        long queued = io.getScheduledWriteBytes();
        if (queued > HIGH_WATER_OCTETS) {
            awaitingDrain = true;
            metrics.queued(queued);
            return true;
        }
        return false;
    }

    /** @return whether a write has completed that lets a backed-up connection take commands again */
    boolean drained() {
        if (awaitingDrain && io.getScheduledWriteBytes() <= LOW_WATER_OCTETS) {
            awaitingDrain = false;
            return true;
        }
        return false;
    }
}
