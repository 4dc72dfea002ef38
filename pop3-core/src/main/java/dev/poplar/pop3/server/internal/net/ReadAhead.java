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
 * The whole {@code RETR} reply of a message, read and encoded before the client asked for it (see
 * {@link dev.poplar.pop3.server.internal.session.Transport#readAhead}). Most clients download a mailbox in order, one
 * message at a time: while a client takes in message <i>n</i> and sends its next command, the server would otherwise
 * sit idle, then read and encode message <i>n</i>+1 while the client waits. Here the connection prepares it in that
 * idle time (on its I/O thread, after the turn's writes), and the {@code RETR} that follows is answered with one write.
 *
 * <p>Bounded: only a reply that fits in one pooled buffer, and each one waiting holds a permit of the server's
 * budget, given back when the reply is sent or discarded. Nothing here has side effects on the mailbox: a message read
 * ahead and never asked for only cost the reading. I/O thread only.
 */
final class ReadAhead {

    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);
    /**
     * How long a prepared reply stays good: a client downloading in order asks within microseconds to milliseconds,
     * and a message removed by another client meanwhile is then sent, as one removed while it is being sent is.
     */
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final Reply.Content reply;
    private final Semaphore budget;
    private final long preparedAt;
    private IoBuffer whole;

    private ReadAhead(Reply.Content reply, IoBuffer whole, Semaphore budget) {
        this.reply = reply;
        this.whole = whole;
        this.budget = budget;
        this.preparedAt = System.nanoTime();
    }

    /**
     * Reads and encodes a reply now, if a permit is free and the whole reply fits in one buffer.
     *
     * @param likely the reply the client will likely ask for; its source does not block
     * @param budget the server's permits
     * @param buffers where the buffers come from
     * @param plain whether the connection has no TLS (a wire-ready file then goes out without copying, so reading it
     *     ahead gains nothing)
     * @return the prepared reply, or {@code null}
     */
    static ReadAhead prepare(Reply.Content likely, Semaphore budget, BufferPool buffers, boolean plain) {
        if (likely.message().size() > ReplySender.CHUNK_OCTETS - ReplyStream.MIN_CHUNK_OCTETS
                || !budget.tryAcquire()) {
            return null;
        }
        MessageContent content;
        try {
            content = likely.source().open();
        } catch (Exception e) {
            likely.source().opened(e);
            budget.release();
            LOG.debug("could not read message {} ahead", likely.number(), e);
            return null;
        }
        likely.source().opened(null);
        ByteBuffer read = null;
        ByteBuffer out = null;
        ReadAhead prepared = null;
        try {
            ReadableByteChannel channel = content.channel();
            if (plain && content.wireReady() && channel instanceof FileChannel) {
                return null;
            }
            read = buffers.take();
            out = buffers.take();
            ReplyStream stream = ReplySender.contentStream(likely, content, channel, read);
            out.limit(Math.min(ReplySender.CHUNK_OCTETS, out.capacity()));
            stream.fill(out);
            if (stream.complete()) {
                prepared = new ReadAhead(likely, IoBuffer.wrap(out.flip()), budget);
            }
            return prepared;
        } catch (Exception e) {
            LOG.debug("could not read message {} ahead", likely.number(), e);
            return null;
        } finally {
            if (read != null) {
                buffers.give(read);
            }
            if (prepared == null) {
                if (out != null) {
                    buffers.give(out);
                }
                budget.release();
            }
            ReplySender.close(content);
        }
    }

    /**
     * Whether a reply is the one prepared, and prepared less than {@link #MAX_AGE_NANOS} ago: the whole content of
     * the same message.
     *
     * @param next the reply about to be sent
     * @return whether {@link #take()} has its octets
     */
    boolean answers(Reply next) {
        return next instanceof Reply.Content content && content.bodyLines() < 0
                && content.number() == reply.number() && content.message().equals(reply.message())
                && System.nanoTime() - preparedAt <= MAX_AGE_NANOS;
    }

    /**
     * Hands over the prepared octets, and the permit back.
     *
     * @return the whole reply, from a pooled buffer that the sender gives back once written
     */
    IoBuffer take() {
        IoBuffer taken = whole;
        whole = null;
        budget.release();
        return taken;
    }

    /**
     * Lets go of the prepared octets, unsent.
     *
     * @param buffers where the buffer goes back
     */
    void discard(BufferPool buffers) {
        if (whole != null) {
            buffers.give(whole.buf());
            whole = null;
            budget.release();
        }
    }
}
