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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends one reply on a connection, in bounded chunks: the next chunk is produced only when an earlier one has been
 * written, with at most two in flight, so a reply of any size needs two chunks of memory (back-pressure). A message
 * is opened only now; when its store may block, opening and reading it run on a worker while the I/O thread writes.
 * A wire-ready file on a connection without TLS goes out as a file region (zero copy).
 *
 * <p>The reply counts as sent when its last chunk is queued: the session goes on while the network drains it.
 * I/O thread only, except the chunk fills handed to a worker.
 */
final class ReplySender {

    private static final Logger LOG = LoggerFactory.getLogger(ReplySender.class);
    private static final int CHUNK_OCTETS = 64 * 1024;
    private static final int READ_OCTETS = 32 * 1024;
    private static final int MAX_IN_FLIGHT = 2;

    private final Connection connection;
    private final Reply reply;
    private final Transport.Sent done;
    private final Shape shape;
    private final AtomicBoolean released = new AtomicBoolean();
    private ReplyStream stream;
    private MessageContent content;
    private ByteBuffer readBuffer;
    private boolean fillMayBlock;
    private boolean filling;
    private boolean finished;
    private boolean aborted;
    private boolean anyWritten;
    private int inFlight;
    private long written;

    ReplySender(Connection connection, Reply reply, Transport.Sent done, Shape shape) {
        this.connection = connection;
        this.reply = reply;
        this.done = done;
        this.shape = shape;
    }

    /** Starts sending. */
    void start() {
        if (reply instanceof Reply.Content message) {
            openContent(message);
        } else if (reply instanceof Reply.Lines lines) {
            stream(ReplyStream.lines(lines.statusLine(), lines.lines()));
        } else if (reply instanceof Reply.Verbatim verbatim && verbatim.multiLine()) {
            stream(ReplyStream.lines(verbatim.statusLine(), verbatim.lines().iterator()));
        } else if (shape == null) {
            connection.writeLine((reply.statusLine() + "\r\n").getBytes(StandardCharsets.UTF_8));
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
        } catch (Exception e) {
            opened(message, null, e);
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
        } catch (IOException | RuntimeException e) {
            release();
            finished = true;
            done.failed(e, false);
            return;
        }
        if (message.bodyLines() < 0 && opened.wireReady() && shape == null && !connection.tls()
                && channel instanceof FileChannel file && zeroCopy(message, file)) {
            return;
        }
        ContentEncoder encoder = message.bodyLines() < 0 ? ContentEncoder.whole(opened.wireReady())
                : ContentEncoder.top(message.bodyLines());
        readBuffer = connection.buffers().take();
        stream(ReplyStream.content(message.statusLine(), channel, encoder, readBuffer.limit(READ_OCTETS).slice()));
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
        connection.write(IoBuffer.wrap((message.statusLine() + "\r\n").getBytes(StandardCharsets.UTF_8)));
        if (size > 0) {
            connection.write(new DefaultFileRegion(file, position, size));
        }
        // The file stays open until the region is out: the terminator's completion releases it.
        connection.write(IoBuffer.wrap(".\r\n".getBytes(StandardCharsets.US_ASCII))).addListener(f -> release());
        finished = true;
        done.sent();
        return true;
    }

    private void stream(ReplyStream replyStream) {
        this.stream = replyStream;
        pump();
    }

    private void pump() {
        int maxInFlight = shape != null && shape.paced() ? 1 : MAX_IN_FLIGHT;
        while (!finished && !aborted && !filling && inFlight < maxInFlight) {
            if (fillMayBlock) {
                filling = true;
                // The orphan runs only once the connection has closed: whatever this fill produced, the content
                // must be released then, whether or not abort() has run yet.
                connection.call(true, this::tryFill, this::filled, fill -> {
                    if (fill.chunk() != null) {
                        connection.buffers().give(fill.chunk().buf());
                    }
                    release();
                });
                return;
            }
            IoBuffer chunk;
            try {
                chunk = fill();
            } catch (IOException | RuntimeException e) {
                failed(e);
                return;
            }
            send(chunk);
        }
    }

    private IoBuffer fill() throws IOException {
        int size = shape == null ? CHUNK_OCTETS : shape.chunkOctets(CHUNK_OCTETS);
        ByteBuffer out = size == connection.buffers().bufferOctets() ? connection.buffers().take()
                : ByteBuffer.allocate(size);
        stream.fill(out);
        out.flip();
        return IoBuffer.wrap(out);
    }

    /** A fill on a worker: never throws, so that a failed fill on a closed connection still reaches the orphan. */
    private Fill tryFill() {
        try {
            return new Fill(fill(), null);
        } catch (IOException | RuntimeException e) {
            return new Fill(null, e);
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

    private void send(IoBuffer chunk) {
        boolean last = stream.complete();
        if (shape != null && written + chunk.remaining() > shape.dropAfterOctets()) {
            chunk.limit(chunk.position() + (int) (shape.dropAfterOctets() - written));
            aborted = true;
            release();
            connection.dropAfter(chunk);
            return;
        }
        written += chunk.remaining();
        anyWritten = true;
        inFlight++;
        ByteBuffer backing = chunk.buf();
        WriteFuture future = connection.write(chunk);
        connection.noteQueued();
        future.addListener(f -> {
            connection.buffers().give(backing);
            inFlight--;
            if (!((WriteFuture) f).isWritten()) {
                abort();
            } else if (shape != null && shape.paced()) {
                connection.later(shape.pause(backing.limit()), this::afterPacedWrite);
            } else {
                pump();
            }
        });
        if (last) {
            finished = true;
            release();
            if (shape == null || !shape.paced()) {
                done.sent();
            }
        }
    }

    private void afterPacedWrite() {
        if (finished && inFlight == 0 && !aborted) {
            done.sent();
        } else {
            pump();
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

    private static void close(MessageContent content) {
        if (content == null) {
            return;
        }
        try {
            content.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not close message content", e);
        }
    }

    /**
     * How a test server's hook shapes a reply: slowly, or cut short.
     *
     * @param octetsPerSecond the rate; {@code Long.MAX_VALUE} for full speed
     * @param dropAfterOctets octets after which the connection is dropped; {@code Long.MAX_VALUE} for none
     */
    record Shape(long octetsPerSecond, long dropAfterOctets) {
        boolean paced() {
            return octetsPerSecond != Long.MAX_VALUE;
        }

        int chunkOctets(int max) {
            // Paced output goes in chunks of a tenth of a second's worth.
            return paced() ? (int) Math.max(ReplyStream.MIN_CHUNK_OCTETS, Math.min(max, octetsPerSecond / 10)) : max;
        }

        java.time.Duration pause(int octets) {
            return java.time.Duration.ofMillis(Math.max(1, octets * 1000L / octetsPerSecond));
        }
    }
}
