package dev.poplar.pop3.store.jdbc;

import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.StoreException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Helpers for message octets in tests: reading content back, and what POP3 would send of stored octets. */
final class Contents {

    private Contents() {
    }

    /** Something a store does that may fail with a {@link StoreException}. */
    @FunctionalInterface
    interface StoreCall {
        /**
         * Calls the store.
         *
         * @throws Exception whatever the store throws
         */
        void call() throws Exception;
    }

    /**
     * The kind of the {@link StoreException} a call throws.
     *
     * @param call the call
     * @return the kind
     * @throws AssertionError if the call does not throw a {@code StoreException}
     */
    static StoreException.Kind failureOf(StoreCall call) {
        try {
            call.call();
        } catch (StoreException e) {
            return e.kind();
        } catch (Exception e) {
            throw new AssertionError("expected a StoreException, got " + e, e);
        }
        throw new AssertionError("expected a StoreException, the call succeeded");
    }

    /**
     * Text as UTF-8.
     *
     * @param text the text
     * @return a stream of its octets
     */
    static InputStream text(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a content to its end through its channel with a buffer of the given size, and closes it.
     *
     * @param content the content
     * @param bufferSize octets per read (1 reads octet by octet)
     * @return the octets
     * @throws IOException if reading fails
     */
    static byte[] read(MessageContent content, int bufferSize) throws IOException {
        try (content) {
            ReadableByteChannel channel = content.channel();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                out.write(buffer.array(), 0, buffer.limit());
                buffer.clear();
            }
            return out.toByteArray();
        }
    }

    /**
     * What POP3 sends of stored octets before dot-stuffing, computed independently of the store: every bare LF becomes
     * CRLF and content that does not end with a line feed gets a final CRLF.
     *
     * @param stored the stored octets
     * @return the wire octets
     */
    static byte[] wireForm(byte[] stored) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] == '\n' && (i == 0 || stored[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(stored[i]);
        }
        if (stored.length > 0 && stored[stored.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * Whether stored octets may go out unchanged: already in wire form and no line starting with a dot.
     *
     * @param stored the stored octets
     * @return whether the server could skip its encoder
     */
    static boolean wireReady(byte[] stored) {
        if (!Arrays.equals(stored, wireForm(stored))) {
            return false;
        }
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] == '.' && (i == 0 || stored[i - 1] == '\n')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Octets that differ from one position to the next, with LF line ends every so often and now and then a line
     * starting with a dot: a message whose chunk boundaries a mistake would show.
     *
     * @param length how many octets
     * @param seed varies the octets
     * @return the octets
     */
    static byte[] patterned(int length, int seed) {
        byte[] octets = new byte[length];
        for (int i = 0; i < length; i++) {
            int n = i + seed;
            octets[i] = (byte) (n % 71 == 70 ? '\n' : n % 997 == 0 ? '.' : 'A' + n % 26);
        }
        return octets;
    }
}
