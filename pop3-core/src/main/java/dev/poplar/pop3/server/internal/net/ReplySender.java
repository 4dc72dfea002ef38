package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.internal.codec.ContentEncoder;
import dev.poplar.pop3.server.internal.codec.ReplyStream;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.session.Transport;
import dev.poplar.pop3.store.MessageContent;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.file.DefaultFileRegion;
import org.apache.mina.core.future.WriteFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends one reply on a connection, in bounded chunks: the next chunk is produced only when an earlier one has been
 * written, with at most two in flight, so a reply of any size needs two chunks of memory (back-pressure). A message
 * is opened only now; when its store may block, opening and reading it run on a worker while the I/O thread writes.
 * A wire-ready file on a connection without TLS and without a bandwidth limit goes out as a file region (zero copy).
 *
 * <p><b>Bandwidth.</b> Under a limit (the connection's {@link Throttle}, or a test hook's pace), chunks are at most
 * what the buckets allow at once, and each chunk is written when its octets are reserved in every bucket: a chunk
 * that must wait waits on the connection's timer, in order, and no thread blocks.
 *
 * <p>The reply counts as sent when its last chunk is queued: the session goes on while the network drains it.
 * I/O thread only, except the chunk fills handed to a worker.
 */
final class ReplySender {

    private static final Logger LOG = LoggerFactory.getLogger(ReplySender.class);
    static final int CHUNK_OCTETS = 64 * 1024;
    private static final int READ_OCTETS = 32 * 1024;
    private static final int MAX_IN_FLIGHT = 2;

    private final Connection connection;
    private final Reply reply;
    private final Transport.Sent done;
    private final Shape shape;
    private final Throttle throttle;
    private final TokenBucket pace;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(MAX_IN_FLIGHT);
    private final AtomicBoolean released = new AtomicBoolean();
    private ReplyStream stream;
    private MessageContent content;
    private ByteBuffer readBuffer;
    private boolean fillMayBlock;
    private boolean filling;
    private boolean finished;
    private boolean aborted;
    private boolean anyWritten;
    private boolean waiting;
    private int inFlight;
    private long written;

    ReplySender(Connection connection, Reply reply, Transport.Sent done, Shape shape, Throttle throttle) {
        this.connection = connection;
        this.reply = reply;
        this.done = done;
        this.shape = shape;
        this.throttle = throttle;
        this.pace = shape == null ? null : shape.pace(System.nanoTime());
    }

    /**
     * Starts sending.
     *
     * @param prepared the whole reply, read ahead ({@link ReadAhead}); or {@code null} to produce it now
     */
    void start(IoBuffer prepared) {
        if (prepared != null) {
            queue(prepared, true);
        } else if (reply instanceof Reply.Content message) {
            openContent(message);
        } else if (reply instanceof Reply.Lines lines) {
            stream(ReplyStream.lines(lines.statusLine(), lines.lines()));
        } else if (reply instanceof Reply.Verbatim verbatim && verbatim.multiLine()) {
            stream(ReplyStream.lines(verbatim.statusLine(), verbatim.lines().iterator()));
        } else if (shape == null) {
            connection.writeLine(reply.statusLineOctets());
            finished = true;
            done.sent();
        } else {
            stream(ReplyStream.single(reply.statusLine()));
        }
    }

    private void openContent(Reply.Content message) {
        fillMayBlock = message.source().mayBlock();
        if (fillMayBlock) {
            connection.call(true, message.source()::open, (opened, failure) -> opened(message, opened, failure),
                    ReplySender::close);
            return;
        }
        try {
            opened(message, message.source().open(), null);
        } catch (Throwable e) {
            opened(message, null, SessionThread.failure(e));
        }
    }

    private void opened(Reply.Content message, MessageContent opened, Exception failure) {
        message.source().opened(failure);
        if (failure != null) {
            finished = true;
            done.failed(failure, false);
            return;
        }
        content = opened;
        ReadableByteChannel channel;
        try {
            channel = opened.channel();
        } catch (Throwable e) {
            release();
            finished = true;
            done.failed(SessionThread.failure(e), false);
            return;
        }
        if (message.bodyLines() < 0 && opened.wireReady() && shape == null && !throttle.limited()
                && !connection.tls() && channel instanceof FileChannel file && zeroCopy(message, file)) {
            return;
        }
        readBuffer = connection.buffers().take();
        stream(contentStream(message, opened, channel, readBuffer));
    }

    /**
     * The octets of a content reply.
     *
     * @param message the reply
     * @param opened its content
     * @param channel the content's channel
     * @param readBuffer a pooled buffer to read into
     * @return the stream
     */
    static ReplyStream contentStream(Reply.Content message, MessageContent opened, ReadableByteChannel channel,
                                     ByteBuffer readBuffer) {
        ContentEncoder encoder = message.bodyLines() < 0 ? ContentEncoder.whole(opened.wireReady())
                : ContentEncoder.top(message.bodyLines());
        return ReplyStream.content(message.statusLine(), channel, encoder, readBuffer.limit(READ_OCTETS).slice());
    }

    private boolean zeroCopy(Reply.Content message, FileChannel file) {
        long position;
        long size;
        try {
            position = file.position();
            size = file.size() - position;
        } catch (IOException e) {
            return false;
        }
        connection.write(IoBuffer.wrap(message.statusLineOctets()));
        if (size > 0) {
            connection.write(new DefaultFileRegion(file, position, size));
        }
        finished = true;
        // The file stays open until the region is out, and the reply counts as sent only then: the output's
        // back-pressure counts no region's octets, so a client pipelining RETRs of wire-ready messages without
        // reading would otherwise hold a file open per command. Meanwhile this sender is the connection's current
        // one, so a connection that closes first aborts it, which closes the file (a terminator that was MINA's
        // current write then never completes).
        connection.write(IoBuffer.wrap(".\r\n".getBytes(StandardCharsets.US_ASCII))).addListener(f -> {
            if (aborted) {
                return;
            }
            release();
            if (((WriteFuture) f).isWritten()) {
                done.sent();
            } else {
                abort();
            }
        });
        return true;
    }

    private void stream(ReplyStream replyStream) {
        this.stream = replyStream;
        pump();
    }

    private void pump() {
        while (!finished && !aborted && !filling && inFlight < MAX_IN_FLIGHT) {
            int size = chunkOctets();
            if (fillMayBlock) {
                filling = true;
                // The orphan runs only once the connection has closed: whatever this fill produced, the content
                // must be released then, whether or not abort() has run yet.
                connection.call(true, () -> tryFill(size), this::filled, fill -> {
                    if (fill.chunk() != null) {
                        connection.buffers().give(fill.chunk().buf());
                    }
                    release();
                });
                return;
            }
            IoBuffer chunk;
            try {
                chunk = fill(size);
            } catch (Throwable e) {
                failed(SessionThread.failure(e));
                return;
            }
            send(chunk);
        }
    }

    /** @return the size of the next chunk: no more than the buckets allow at once */
    private int chunkOctets() {
        long size = throttle.chunkOctets(CHUNK_OCTETS);
        if (pace != null) {
            size = Math.min(size, pace.capacity());
        }
        return (int) Math.max(ReplyStream.MIN_CHUNK_OCTETS, size);
    }

    /** Produces the next chunk; on a worker when reading the content may block. */
    private IoBuffer fill(int size) throws IOException {
        ByteBuffer out = connection.buffers().take();
        out.limit(Math.min(size, out.capacity()));
        stream.fill(out);
        out.flip();
        return IoBuffer.wrap(out);
    }

    /** A fill on a worker: never throws, so that a failed fill on a closed connection still reaches the orphan. */
    private Fill tryFill(int size) {
        try {
            return new Fill(fill(size), null);
        } catch (Throwable e) {
            return new Fill(null, SessionThread.failure(e));
        }
    }

    private void filled(Fill fill, Exception unexpected) {
        filling = false;
        IoBuffer chunk = fill == null ? null : fill.chunk();
        Exception failure = fill == null ? unexpected : fill.failure();
        if (aborted) {
            if (chunk != null) {
                connection.buffers().give(chunk.buf());
            }
            release();
            return;
        }
        if (failure != null) {
            failed(failure);
            return;
        }
        send(chunk);
        pump();
    }

    /** What a fill on a worker produced: a chunk, or why there is none. */
    private record Fill(IoBuffer chunk, Exception failure) {
    }

    /** Queues a chunk to be written once the buckets allow. */
    private void send(IoBuffer chunk) {
        queue(chunk, stream.complete());
    }

    private void queue(IoBuffer chunk, boolean last) {
        boolean drop = false;
        if (shape != null && written + chunk.remaining() > shape.dropAfterOctets()) {
            chunk.limit(chunk.position() + (int) (shape.dropAfterOctets() - written));
            drop = true;
            last = false;
            finished = true;
            release();
        }
        written += chunk.remaining();
        anyWritten = true;
        inFlight++;
        if (last) {
            finished = true;
            release();
        }
        pending.add(new Pending(chunk, last, drop));
        writePending();
    }

    /** Writes the queued chunks in order, each when every bucket has its octets; waits on the timer otherwise. */
    private void writePending() {
        while (!waiting && !aborted && !pending.isEmpty()) {
            Pending next = pending.peek();
            long now = System.nanoTime();
            if (!next.reserved) {
                next.reserved = true;
                long wait = throttle.reserve(next.chunk.remaining(), now);
                if (pace != null) {
                    wait = Math.max(wait, pace.reserve(next.chunk.remaining(), now));
                }
                next.due = now + wait;
            }
            long wait = next.due - now;
            if (wait > 0) {
                waiting = true;
                // Rounded up: the timer counts whole milliseconds, and an early chunk would exceed the rate.
                connection.later(Duration.ofMillis((wait + 999_999) / 1_000_000), () -> {
                    waiting = false;
                    writePending();
                });
                return;
            }
            pending.poll();
            write(next);
        }
    }

    private void write(Pending next) {
        if (next.drop) {
            aborted = true;
            connection.dropAfter(next.chunk);
            return;
        }
        ByteBuffer backing = next.chunk.buf();
        WriteFuture future = connection.write(next.chunk);
        connection.noteQueued();
        future.addListener(f -> {
            connection.buffers().give(backing);
            inFlight--;
            if (!((WriteFuture) f).isWritten()) {
                abort();
            } else {
                pump();
            }
        });
        if (next.last) {
            done.sent();
        }
    }

    private void failed(Exception e) {
        finished = true;
        release();
        if (anyWritten) {
            done.failed(e, true);
            connection.abort(e);
        } else {
            LOG.warn("could not read message content", e);
            done.failed(e, false);
        }
    }

    /** The connection is gone: stop, and release the content once no worker reads it. I/O thread. */
    void abort() {
        if (aborted) {
            return;
        }
        aborted = true;
        for (Pending queued; (queued = pending.poll()) != null; ) {
            connection.buffers().give(queued.chunk.buf());
        }
        if (!filling) {
            release();
        }
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        if (readBuffer != null) {
            connection.buffers().give(readBuffer);
        }
        close(content);
    }

    static void close(MessageContent content) {
        if (content == null) {
            return;
        }
        try {
            content.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not close message content", e);
        }
    }

    /** A chunk waiting to be written. */
    private static final class Pending {
        final IoBuffer chunk;
        final boolean last;
        final boolean drop;
        boolean reserved;
        long due;

        Pending(IoBuffer chunk, boolean last, boolean drop) {
            this.chunk = chunk;
            this.last = last;
            this.drop = drop;
        }
    }

    /**
     * How a test server's hook shapes a reply: slowly, or cut short.
     *
     * @param octetsPerSecond the rate; {@code Long.MAX_VALUE} for full speed
     * @param dropAfterOctets octets after which the connection is dropped; {@code Long.MAX_VALUE} for none
     */
    record Shape(long octetsPerSecond, long dropAfterOctets) {
        /**
         * The bucket that paces the reply: chunks of a tenth of a second's worth, the first one after a tenth of a
         * second.
         *
         * @param now the current {@link System#nanoTime()}
         * @return the bucket, or {@code null} at full speed
         */
        TokenBucket pace(long now) {
            if (octetsPerSecond == Long.MAX_VALUE) {
                return null;
            }
            long chunk = Math.max(ReplyStream.MIN_CHUNK_OCTETS, Math.min(CHUNK_OCTETS, octetsPerSecond / 10));
            return new TokenBucket(octetsPerSecond, chunk, false, now);
        }
    }
}
