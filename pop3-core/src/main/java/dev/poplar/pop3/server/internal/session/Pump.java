package dev.poplar.pop3.server.internal.session;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;

import dev.poplar.pop3.server.internal.command.Replies;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes a multi-line reply in bounded chunks: the next chunk is produced only when an earlier one has been sent, with
 * at most two chunks queued, so a session's output memory is bounded whatever the size of the reply (back-pressure).
 * Runs on the session's serial executor.
 */
abstract class Pump {

    static final int CHUNK_OCTETS = 64 * 1024;
    private static final int MAX_IN_FLIGHT = 2;

    final Pop3Session session;
    private String statusLine;
    private boolean statusWritten;
    private int inFlight;
    private boolean finished;
    private boolean aborted;
    private boolean substituted;
    private boolean anyWritten;
    private Runnable onComplete;

    Pump(Pop3Session session, String statusLine) {
        this.session = session;
        this.statusLine = statusLine;
    }

    String statusLine() {
        return statusLine;
    }

    /**
     * Starts writing.
     *
     * @param onComplete run on the serial executor once the last octet has been handed to the network
     */
    void start(Runnable onComplete) {
        this.onComplete = onComplete;
        pump();
    }

    /**
     * Registers the completion callback for a pump that writes on its own (zero copy) and ends through
     * {@link #writeTracked}.
     *
     * @param onComplete the completion callback
     */
    final void begin(Runnable onComplete) {
        this.onComplete = onComplete;
    }

    /**
     * Answers with a single line instead of the multi-line reply (nothing of it was sent yet).
     *
     * @param line the status line to send instead
     * @param onComplete the completion callback
     */
    final void answerInstead(String line, Runnable onComplete) {
        statusLine = line;
        statusWritten = true;
        substituted = true;
        finished = true;
        begin(onComplete);
        writeTracked(org.apache.mina.core.buffer.IoBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Fills one chunk with the next octets of the reply.
     *
     * @param out the chunk
     * @return {@code true} when the reply, terminator included, is complete
     * @throws IOException if the content cannot be read
     */
    abstract boolean fill(ByteBuffer out) throws IOException;

    /** Releases what the pump holds (content). Called exactly once, on completion or abort. */
    abstract void release();

    /** Called after the last octet was sent, before the completion callback. */
    void succeeded() {
    }

    /** Stops writing (the connection is gone) and releases the content. */
    void abort() {
        if (!aborted && !finished) {
            aborted = true;
            release();
        }
    }

    void putStatusLine(ByteBuffer out) {
        if (!statusWritten) {
            statusWritten = true;
            out.put(statusLine.getBytes(StandardCharsets.UTF_8)).put((byte) '\r').put((byte) '\n');
        }
    }

    final void pump() {
        while (!aborted && !finished && inFlight < MAX_IN_FLIGHT) {
            IoBuffer chunk = IoBuffer.allocate(CHUNK_OCTETS, false);
            ByteBuffer out = chunk.buf();
            putStatusLine(out);
            try {
                finished = fill(out);
            } catch (IOException | RuntimeException e) {
                release();
                if (!anyWritten) {
                    // Nothing of the reply went out yet: the client can still be told, and the session goes on.
                    session.contentFailed(e);
                    answerInstead(Replies.STORE_TEMPORARY.statusLine(), onComplete);
                } else {
                    aborted = true;
                    session.abortStream(e);
                }
                return;
            }
            chunk.flip();
            writeTracked(chunk);
        }
        if (finished && inFlight == 0 && !aborted) {
            release();
            if (!substituted) {
                succeeded();
            }
            onComplete.run();
        }
    }

    /**
     * Writes one message and counts it in flight until it is sent.
     *
     * @param message an {@code IoBuffer} or a file region
     */
    final void writeTracked(Object message) {
        anyWritten = true;
        inFlight++;
        WriteFuture future = session.write(message);
        session.queuedOctets();
        future.addListener(f -> session.serial().execute(() -> {
            inFlight--;
            if (!((WriteFuture) f).isWritten()) {
                abort();
            } else {
                pump();
            }
        }));
    }

    /** Marks the reply as completely handed over (for pumps that write without {@link #fill}). */
    final void finishWithoutFill() {
        finished = true;
    }
}
