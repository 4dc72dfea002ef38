package dev.poplar.pop3.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * What a store needs to know about stored message octets to describe them to POP3: the size POP3 will send
 * ({@link MessageInfo#size()}) and whether the octets are already in wire form ({@link MessageContent#wireReady()}).
 *
 * <p>The rules match what the server sends: a line feed not preceded by a carriage return counts as CRLF (two
 * octets); non-empty content that does not end with a line feed gets a final CRLF; dot-stuffing is not counted.
 *
 * @param size the POP3 size in octets
 * @param wireReady whether the octets need no conversion: CRLF line ends only, no line beginning with {@code .},
 *     empty or ending with CRLF
 */
public record ContentFacts(long size, boolean wireReady) {

    /**
     * Scans octets held in memory.
     *
     * @param content the message octets
     * @return their facts
     */
    public static ContentFacts of(byte[] content) {
        Scanner scanner = new Scanner();
        scanner.update(content, 0, content.length);
        return scanner.finish();
    }

    /**
     * Scans a stream to its end, in bounded memory. Does not close it.
     *
     * @param in the message octets
     * @return their facts
     * @throws IOException if reading fails
     */
    public static ContentFacts scan(InputStream in) throws IOException {
        Scanner scanner = new Scanner();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            scanner.update(buffer, 0, n);
        }
        return scanner.finish();
    }

    /**
     * Scans a channel to its end, in bounded memory. Does not close it.
     *
     * @param in the message octets
     * @return their facts
     * @throws IOException if reading fails
     */
    public static ContentFacts scan(ReadableByteChannel in) throws IOException {
        Scanner scanner = new Scanner();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (in.read(buffer) >= 0) {
            buffer.flip();
            scanner.update(buffer.array(), 0, buffer.limit());
            buffer.clear();
        }
        return scanner.finish();
    }

    /**
     * Copies a message and scans it on the way, in bounded memory: what a store does when mail is delivered. Closes
     * neither stream.
     *
     * @param in the message octets
     * @param out where to write them, unchanged
     * @return their facts
     * @throws IOException if reading or writing fails
     */
    public static ContentFacts copy(InputStream in, OutputStream out) throws IOException {
        Scanner scanner = new Scanner();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            scanner.update(buffer, 0, n);
            out.write(buffer, 0, n);
        }
        return scanner.finish();
    }

    /** An incremental scanner. Not thread-safe. */
    private static final class Scanner {
        private long size;
        private long octets;
        private boolean wireReady = true;
        private boolean atLineStart = true;
        private byte previous;

        /**
         * Feeds the next octets of the message.
         *
         * @param octets the buffer
         * @param offset the first octet to scan
         * @param length how many octets to scan
         */
        void update(byte[] octets, int offset, int length) {
            for (int i = offset, end = offset + length; i < end; i++) {
                byte b = octets[i];
                if (b == '\n') {
                    if (previous == '\r') {
                        size += 1;
                    } else {
                        size += 2;
                        wireReady = false;
                    }
                    atLineStart = true;
                } else {
                    if (atLineStart && b == '.') {
                        wireReady = false;
                    }
                    size += 1;
                    atLineStart = false;
                }
                previous = b;
            }
            this.octets += length;
        }

        /**
         * The facts of everything fed so far, as a complete message.
         *
         * @return the facts
         */
        ContentFacts finish() {
            if (octets > 0 && previous != '\n') {
                return new ContentFacts(size + 2, false);
            }
            return new ContentFacts(size, wireReady);
        }
    }
}
