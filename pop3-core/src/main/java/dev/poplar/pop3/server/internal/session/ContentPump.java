package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.internal.codec.ContentEncoder;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.file.DefaultFileRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Streams a message ({@code RETR}, {@code TOP}) through the {@link ContentEncoder}: CRLF line ends, dot-stuffing,
 * the terminating {@code .}. A wire-ready file on a connection without TLS goes out as a file region (zero copy).
 */
final class ContentPump extends Pump {

    private static final Logger LOG = LoggerFactory.getLogger(ContentPump.class);
    private static final int READ_OCTETS = 32 * 1024;

    private final Reply.Content reply;
    private final boolean tls;
    private final ContentEncoder encoder;
    private ReadableByteChannel channel;
    private ByteBuffer in;
    private boolean eof;
    private boolean released;

    ContentPump(Pop3Session session, Reply.Content reply, boolean tls) {
        super(session, reply.statusLine());
        this.reply = reply;
        this.tls = tls;
        this.encoder = reply.bodyLines() < 0
                ? ContentEncoder.whole(reply.content().wireReady())
                : ContentEncoder.top(reply.bodyLines());
    }

    @Override
    void start(Runnable onComplete) {
        try {
            channel = reply.content().channel();
        } catch (IOException | RuntimeException e) {
            session.contentFailed(e);
            release();
            answerInstead(Replies.STORE_TEMPORARY.statusLine(), onComplete);
            return;
        }
        if (!tls && !shaped() && reply.bodyLines() < 0 && reply.content().wireReady()
                && channel instanceof FileChannel file) {
            if (zeroCopy(file, onComplete)) {
                return;
            }
        }
        super.start(onComplete);
    }

    private boolean zeroCopy(FileChannel file, Runnable onComplete) {
        long position;
        long size;
        try {
            position = file.position();
            size = file.size() - position;
        } catch (IOException e) {
            return false;
        }
        IoBuffer status = IoBuffer.allocate(statusLine().length() + 2, false);
        putStatusLine(status.buf());
        status.flip();
        IoBuffer terminator = IoBuffer.wrap(".\r\n".getBytes(StandardCharsets.US_ASCII));
        begin(onComplete);
        finishWithoutFill();
        session.write(status);
        if (size > 0) {
            session.write(new DefaultFileRegion(file, position, size));
        }
        writeTracked(terminator);
        return true;
    }

    @Override
    boolean fill(ByteBuffer out) throws IOException {
        if (in == null) {
            in = session.engine().buffers().take();
            in.limit(READ_OCTETS).flip();
        }
        while (true) {
            if (in.hasRemaining() && !encoder.isDone()) {
                encoder.encode(in, out);
                if (in.hasRemaining() && !encoder.isDone()) {
                    return false;
                }
                continue;
            }
            if (encoder.isDone() || eof) {
                if (out.remaining() < ContentEncoder.FINISH_OCTETS) {
                    return false;
                }
                encoder.finish(out);
                return true;
            }
            in.clear().limit(READ_OCTETS);
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                eof = true;
            }
        }
    }

    @Override
    void succeeded() {
        if (reply.bodyLines() < 0) {
            session.recordRetrieved(reply.number(), reply.message());
        }
    }

    @Override
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (in != null) {
            session.engine().buffers().give(in);
            in = null;
        }
        try {
            reply.content().close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not close message content", e);
        }
    }
}
