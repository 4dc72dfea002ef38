package dev.poplar.pop3.server.internal.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The octets of one reply, produced chunk by chunk into buffers the caller provides: the status line, then for a
 * multi-line reply its body (generated lines, or a message read from a channel and encoded), then the terminating
 * {@code .}. Whatever the size of the reply, it needs only the caller's chunk and one read buffer. Not thread-safe.
 */
public final class ReplyStream {

    /** Room for any step that must go into a chunk whole: a CRLF, or the final CRLF and terminator. */
    public static final int MIN_CHUNK_OCTETS = ContentEncoder.FINISH_OCTETS + 3;

    private final byte[] status;
    private final LinesEncoder lines;
    private final ReadableByteChannel channel;
    private final ContentEncoder encoder;
    private final ByteBuffer in;
    private int statusOffset;
    private boolean eof;
    private boolean complete;

    private ReplyStream(String statusLine, LinesEncoder lines, ReadableByteChannel channel, ContentEncoder encoder,
                        ByteBuffer in) {
        this.status = (statusLine + "\r\n").getBytes(StandardCharsets.UTF_8);
        this.lines = lines;
        this.channel = channel;
        this.encoder = encoder;
        this.in = in;
    }

    /**
     * A single-line reply.
     *
     * @param statusLine the status line, without CRLF
     * @return the stream
     */
    public static ReplyStream single(String statusLine) {
        return new ReplyStream(statusLine, null, null, null, null);
    }

    /**
     * A multi-line reply of generated lines, dot-stuffed.
     *
     * @param statusLine the status line, without CRLF
     * @param lines the body lines, without line ends
     * @return the stream
     */
    public static ReplyStream lines(String statusLine, Iterator<String> lines) {
        return new ReplyStream(statusLine, new LinesEncoder(lines), null, null, null);
    }

    /**
     * A message read from a channel and encoded ({@code RETR}, {@code TOP}).
     *
     * @param statusLine the status line, without CRLF
     * @param channel the content, read to its end (or until {@code TOP} has its lines)
     * @param encoder the encoder for the whole message or its top
     * @param readBuffer a buffer to read the channel into, reused for every read
     * @return the stream
     */
    public static ReplyStream content(String statusLine, ReadableByteChannel channel, ContentEncoder encoder,
                                      ByteBuffer readBuffer) {
        readBuffer.clear().flip();
        return new ReplyStream(statusLine, null, channel, encoder, readBuffer);
    }

    /** @return whether the whole reply has been produced */
    public boolean complete() {
        return complete;
    }

    /** @return whether nothing but part of the status line has been produced yet */
    public boolean started() {
        return statusOffset > 0;
    }

    /**
     * Produces the next octets.
     *
     * @param out the chunk to fill; at least {@link #MIN_CHUNK_OCTETS} free
     * @return {@code true} when the reply is complete
     * @throws IOException if the content cannot be read
     */
    public boolean fill(ByteBuffer out) throws IOException {
        if (statusOffset < status.length) {
            int n = Math.min(out.remaining(), status.length - statusOffset);
            out.put(status, statusOffset, n);
            statusOffset += n;
            if (statusOffset < status.length) {
                return false;
            }
        }
        if (lines != null) {
            complete = lines.fill(out);
        } else if (encoder != null) {
            complete = fillContent(out);
        } else {
            complete = true;
        }
        return complete;
    }

    private boolean fillContent(ByteBuffer out) throws IOException {
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
            if (out.remaining() < MIN_CHUNK_OCTETS) {
                return false;
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                eof = true;
            }
        }
    }
}
