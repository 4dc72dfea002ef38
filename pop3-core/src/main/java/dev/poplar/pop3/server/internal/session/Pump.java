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
    /** Enough room for any encoder step: a CRLF, or the final CRLF and terminator. */
    static final int MIN_CHUNK_OCTETS = 8;
    private static final int MAX_IN_FLIGHT = 2;

    final Pop3Session session;
    private String statusLine;
    private boolean statusWritten;
    private int inFlight;
    private boolean finished;
    private boolean aborted;
    private boolean substituted;
    private boolean anyWritten;
    private boolean completed;
    private Runnable onComplete;
    private long octetsPerSecond = Long.MAX_VALUE;
    private long dropAfter = Long.MAX_VALUE;
    private long written;

    Pump(Pop3Session session, String statusLine) {
        this.session = session;
        this.statusLine = statusLine;
    }

    String statusLine() {
        return statusLine;
    }

    /**
     * Sends this reply slowly, or only in part (fault injection).
     *
     * @param octetsPerSecond the rate, {@code Long.MAX_VALUE} for full speed
     * @param dropAfterOctets octets after which the connection is dropped, {@code Long.MAX_VALUE} for none
     */
    void shape(long octetsPerSecond, long dropAfterOctets) {
        this.octetsPerSecond = octetsPerSecond;
        this.dropAfter = dropAfterOctets;
    }

    /** @return whether an interceptor changed how this reply is sent */
    boolean shaped() {
        return paced() || dropAfter != Long.MAX_VALUE;
    }

    private boolean paced() {
        return octetsPerSecond != Long.MAX_VALUE;
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

    /** Called once the whole reply has been handed to the network, before the completion callback. */
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
        int maxInFlight = paced() ? 1 : MAX_IN_FLIGHT;
        while (!aborted && !finished && inFlight < maxInFlight) {
            IoBuffer chunk = nextChunk();
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
            if (written + chunk.remaining() > dropAfter) {
                chunk.limit(chunk.position() + (int) (dropAfter - written));
                aborted = true;
                release();
                session.dropAfterWrite(chunk);
                return;
            }
            written += chunk.remaining();
            if (finished && !shaped()) {
                // The last chunk: everything has been read, so the content is released and the session goes on
                // at once; MINA sends the queued chunks in order. No thread hand-off waits for the write.
                writeUntracked(chunk);
                complete();
                return;
            }
            writeTracked(chunk);
        }
        if (finished && inFlight == 0 && !aborted) {
            complete();
        }
    }

    private void complete() {
        if (completed) {
            return;
        }
        completed = true;
        release();
        if (!substituted) {
            succeeded();
        }
        onComplete.run();
    }

    /** A chunk for the next octets: pooled at full size, exactly sized when paced or for a long status line. */
    private IoBuffer nextChunk() {
        int size = CHUNK_OCTETS;
        if (paced()) {
            // Paced output goes in chunks of a tenth of a second's worth.
            size = (int) Math.max(MIN_CHUNK_OCTETS, Math.min(CHUNK_OCTETS, octetsPerSecond / 10));
        }
        if (!statusWritten) {
            size = Math.max(size, statusLine.length() + 2 + MIN_CHUNK_OCTETS);
        }
        if (size == session.engine().buffers().bufferOctets()) {
            return IoBuffer.wrap(session.engine().buffers().take());
        }
        return IoBuffer.allocate(size, false);
    }

    private void writeUntracked(IoBuffer chunk) {
        anyWritten = true;
        ByteBuffer backing = chunk.buf();
        WriteFuture future = session.write(chunk);
        session.queuedOctets();
        future.addListener(f -> session.engine().buffers().give(backing));
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
        if (message instanceof IoBuffer buffer) {
            ByteBuffer backing = buffer.buf();
            future.addListener(f -> session.engine().buffers().give(backing));
        }
        long pause = paced() && message instanceof IoBuffer buffer
                ? Math.max(1, buffer.limit() * 1000L / octetsPerSecond) : 0;
        future.addListener(f -> {
            Runnable next = () -> {
                inFlight--;
                if (!((WriteFuture) f).isWritten()) {
                    abort();
                } else {
                    pump();
                }
            };
            if (pause > 0) {
                session.later(next, pause);
            } else {
                session.serial().execute(next);
            }
        });
    }

    /** Marks the reply as completely handed over (for pumps that write without {@link #fill}). */
    final void finishWithoutFill() {
        finished = true;
    }
}
