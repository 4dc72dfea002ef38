package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.internal.BufferPool;
import dev.poplar.pop3.server.internal.codec.ReplyStream;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.store.MessageContent;
import org.apache.mina.core.buffer.IoBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.Semaphore;

/**
 * A connection's reading ahead (see {@link dev.poplar.pop3.server.internal.session.Transport#readAhead}): the whole
 * {@code RETR} reply of a message, read and encoded before the client asked for it. Most clients download a mailbox
 * in order, one message at a time: while a client takes in message <i>n</i> and sends its next command, the server
 * would otherwise sit idle, then read and encode message <i>n</i>+1 while the client waits. The connection prepares it
 * in that idle time instead (on its I/O thread, after the turn's writes), and the {@code RETR} that follows is
 * answered with one write.
 *
 * <p>Bounded: only a reply that fits in one pooled buffer, and a prepared reply holds a permit of the server's
 * budget, given back when it is sent or let go. Nothing here changes the mailbox: a message read ahead and never
 * asked for only cost the reading. Its store call is reported ({@code StoreCallCompleted}) only if the reply is
 * sent. I/O thread only.
 */
final class ReadAhead {

    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);
    /**
     * How long a prepared reply stays good: a client downloading in order asks within microseconds to milliseconds,
     * and a message removed by another client meanwhile is then sent, as one removed while it is being sent is.
     */
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final Semaphore budget;
    private final BufferPool buffers;
    private Reply.Content reply;
    private IoBuffer whole;
    private long preparedAt;
    /** Whether this mailbox's messages go out from their files without copying, so reading ahead gains nothing. */
    private boolean pointless;

    /**
     * Creates a connection's read-ahead.
     *
     * @param budget the server's permits
     * @param buffers where the buffers come from
     */
    ReadAhead(Semaphore budget, BufferPool buffers) {
        this.budget = budget;
        this.buffers = buffers;
    }

    /**
     * Reads and encodes a reply now, if a permit is free and the whole reply fits in one buffer; lets go of any
     * earlier one first.
     *
     * @param likely the reply the client will likely ask for; its source does not block
     * @param plain whether the connection has no TLS (a wire-ready file then goes out without copying, so reading it
     *     ahead gains nothing)
     */
    void prepare(Reply.Content likely, boolean plain) {
        discard();
        if (pointless || likely.message().size() > ReplySender.CHUNK_OCTETS - ReplyStream.MIN_CHUNK_OCTETS
                || !budget.tryAcquire()) {
            return;
        }
        MessageContent content = null;
        ByteBuffer read = null;
        ByteBuffer out = null;
        try {
            content = likely.source().open();
            ReadableByteChannel channel = content.channel();
            if (plain && content.wireReady() && channel instanceof FileChannel) {
                pointless = true;
                return;
            }
            read = buffers.take();
            out = buffers.take();
            ReplyStream stream = ReplySender.contentStream(likely, content, channel, read);
            out.limit(Math.min(ReplySender.CHUNK_OCTETS, out.capacity()));
            stream.fill(out);
            if (stream.complete()) {
                reply = likely;
                whole = IoBuffer.wrap(out.flip());
                preparedAt = System.nanoTime();
                out = null;
            }
        } catch (Exception e) {
            // The client's RETR, if it comes, opens the message again and reports what fails.
            LOG.debug("could not read message {} ahead", likely.number(), e);
        } finally {
            if (read != null) {
                buffers.give(read);
            }
            if (whole == null) {
                if (out != null) {
                    buffers.give(out);
                }
                budget.release();
            }
            ReplySender.close(content);
        }
    }

    /**
     * The prepared octets, if they answer a reply about to be sent: the whole content of the same message, prepared
     * less than {@link #MAX_AGE_NANOS} ago. A content reply they do not answer lets them go; any other reply keeps
     * them.
     *
     * @param next the reply about to be sent
     * @param usable whether the reply may be sent as prepared (no test hook shaping it, no bandwidth limit)
     * @return the whole reply, from a pooled buffer that the sender gives back once written; or {@code null}
     */
    IoBuffer take(Reply next, boolean usable) {
        if (whole == null || !(next instanceof Reply.Content content)) {
            return null;
        }
        if (!usable || content.bodyLines() >= 0 || content.number() != reply.number()
                || !content.message().equals(reply.message()) || System.nanoTime() - preparedAt > MAX_AGE_NANOS) {
            discard();
            return null;
        }
        IoBuffer taken = whole;
        whole = null;
        budget.release();
        // The store call was made for this reply: report it now.
        reply.source().opened(null);
        reply = null;
        return taken;
    }

    /** Lets go of a prepared reply, unsent. */
    void discard() {
        if (whole != null) {
            buffers.give(whole.buf());
            whole = null;
            reply = null;
            budget.release();
        }
    }
}
