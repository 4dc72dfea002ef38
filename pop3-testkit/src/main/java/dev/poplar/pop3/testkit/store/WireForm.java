package dev.poplar.pop3.testkit.store;

import dev.poplar.pop3.store.MessageContent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Message octets as POP3 sends them, computed independently of the store and of the server: every line feed not
 * preceded by a carriage return becomes CRLF, and non-empty content that does not end with a line feed gets a final
 * CRLF (RFC 1939 section 3; dot-stuffing is not counted). Streams: it keeps a digest of the converted octets, their
 * count, and the original octets only if asked to (small messages).
 */
final class WireForm {

    private final MessageDigest digest;
    private final ByteArrayOutputStream original;
    private final byte[] out = new byte[32 * 1024];
    private int pending;
    private long size;
    private long octets;
    private boolean exact = true;
    private boolean atLineStart = true;
    private byte previous;

    private WireForm(boolean keepOriginal) {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        this.original = keepOriginal ? new ByteArrayOutputStream() : null;
    }

    /**
     * What reading one message gave.
     *
     * @param size the POP3 size: octets after the conversion
     * @param digest the SHA-256 of the converted octets, in hexadecimal
     * @param exact whether the original octets were already the converted ones and no line began with a dot: what a
     *     store may call wire-ready
     * @param original the original octets, or {@code null} if they were not kept
     */
    record Result(long size, String digest, boolean exact, byte[] original) {
    }

    /**
     * Reads a stream to its end.
     *
     * @param in the octets
     * @param bufferSize the read buffer
     * @param keepOriginal whether to keep the original octets
     * @return the result
     * @throws IOException if reading fails
     */
    static Result of(InputStream in, int bufferSize, boolean keepOriginal) throws IOException {
        WireForm form = new WireForm(keepOriginal);
        byte[] buffer = new byte[bufferSize];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            form.update(buffer, 0, n);
        }
        return form.finish();
    }

    /**
     * Reads a message's content to its end through a buffer of the given size, and closes it.
     *
     * @param content the content
     * @param bufferSize the read buffer
     * @param keepOriginal whether to keep the original octets
     * @return the result
     * @throws IOException if reading or closing fails
     */
    static Result of(MessageContent content, int bufferSize, boolean keepOriginal) throws IOException {
        WireForm form = new WireForm(keepOriginal);
        try (content) {
            ReadableByteChannel channel = content.channel();
            ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                form.update(buffer.array(), 0, buffer.limit());
                buffer.clear();
            }
        }
        return form.finish();
    }

    private void update(byte[] bytes, int offset, int length) {
        if (original != null) {
            original.write(bytes, offset, length);
        }
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (previous != '\r') {
                    emit((byte) '\r');
                    exact = false;
                }
                emit(b);
                atLineStart = true;
            } else {
                if (atLineStart && b == '.') {
                    exact = false;
                }
                emit(b);
                atLineStart = false;
            }
            previous = b;
        }
        octets += length;
    }

    private void emit(byte b) {
        if (pending == out.length) {
            digest.update(out, 0, pending);
            pending = 0;
        }
        out[pending++] = b;
        size++;
    }

    private Result finish() {
        if (octets > 0 && previous != '\n') {
            emit((byte) '\r');
            emit((byte) '\n');
            exact = false;
        }
        digest.update(out, 0, pending);
        pending = 0;
        return new Result(size, HexFormat.of().formatHex(digest.digest()), exact,
                original == null ? null : original.toByteArray());
    }
}
