package dev.poplar.pop3.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * The content of one message, open for streaming. Returned by {@link Maildrop#content(MessageInfo)}; the server reads
 * it through {@link #channel()} in bounded chunks and {@linkplain #close() closes} it, also when the client goes away
 * in the middle of a transfer.
 *
 * <p>Content may be stored with LF or CRLF line ends, or a mix: the server converts bare LF to CRLF, dot-stuffs and
 * ends the response, whatever the stored form. A store that knows its content is already in wire form says so with
 * {@link #wireReady()}, and the server may then send it without looking at it. If {@link #channel()} returns a
 * {@link java.nio.channels.FileChannel} and the content is wire-ready, the server may send the file without copying
 * it through the Java heap (zero copy).
 *
 * <p>A read that fails ({@code IOException}, or a {@code RuntimeException}) before any octet of the reply has been sent
 * is answered {@code -ERR [SYS/TEMP]} and the session goes on. Once part of the message has been sent, the client can
 * no longer be told: the server closes the connection, and the session ends without deleting anything.
 */
public interface MessageContent extends Closeable {

    /**
     * The content, positioned at its first octet. Called once per content.
     *
     * @return a channel the server reads to its end
     * @throws IOException if the content cannot be opened; the client sees {@code -ERR [SYS/TEMP]}
     */
    ReadableByteChannel channel() throws IOException;

    /**
     * Whether the stored octets are exactly what POP3 sends before the final {@code .}: every line ends with CRLF, no
     * line begins with {@code .}, and the content is empty or ends with CRLF. See {@link ContentFacts}.
     *
     * @return {@code true} only if the store is sure; {@code false} (the default) is always safe
     */
    default boolean wireReady() {
        return false;
    }

    /**
     * Releases what the content holds (file handles, connections). Called exactly once.
     *
     * @throws IOException if releasing failed; the server logs it
     */
    @Override
    void close() throws IOException;

    /**
     * Content held in memory. The array is not copied and must not change while the content is read.
     *
     * @param content the message octets
     * @param wireReady whether they are already in wire form (see {@link #wireReady()})
     * @return a content reading the array
     */
    static MessageContent ofBytes(byte[] content, boolean wireReady) {
        Objects.requireNonNull(content, "content");
        return ofChannel(new ReadableByteChannel() {
            private final ByteBuffer source = ByteBuffer.wrap(content).asReadOnlyBuffer();
            private boolean open = true;

            @Override
            public int read(ByteBuffer dst) {
                if (!source.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(dst.remaining(), source.remaining());
                ByteBuffer slice = source.slice();
                slice.limit(n);
                dst.put(slice);
                source.position(source.position() + n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        }, wireReady);
    }

    /**
     * Content read from an open channel, which {@link #close()} closes.
     *
     * @param channel the channel, positioned at the first octet of the message
     * @param wireReady whether the octets are already in wire form (see {@link #wireReady()})
     * @return a content reading the channel
     */
    static MessageContent ofChannel(ReadableByteChannel channel, boolean wireReady) {
        Objects.requireNonNull(channel, "channel");
        return new MessageContent() {
            @Override
            public ReadableByteChannel channel() {
                return channel;
            }

            @Override
            public boolean wireReady() {
                return wireReady;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
