package dev.poplar.pop3.bench;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a message stored with LF line ends as CRLF: a CR is inserted before every LF that does not follow one.
 * Streams through a fixed buffer. Not thread-safe.
 */
final class CrlfInputStream extends InputStream {

    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private int previous = -1;
    private boolean pendingLf;

    CrlfInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        if (pendingLf) {
            pendingLf = false;
            previous = '\n';
            return '\n';
        }
        if (position == limit && !fill()) {
            return -1;
        }
        int b = buffer[position++] & 0xff;
        if (b == '\n' && previous != '\r') {
            pendingLf = true;
            previous = '\r';
            return '\r';
        }
        previous = b;
        return b;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int n = 0;
        while (n < length) {
            if (pendingLf) {
                pendingLf = false;
                previous = '\n';
                target[offset + n++] = '\n';
                continue;
            }
            if (position == limit) {
                if (n > 0) {
                    break; // hand over what is there rather than wait for more
                }
                if (!fill()) {
                    return -1;
                }
            }
            byte b = buffer[position++];
            if (b == '\n' && previous != '\r') {
                previous = '\r';
                pendingLf = true;
                target[offset + n++] = '\r';
                continue;
            }
            previous = b;
            target[offset + n++] = b;
        }
        return n;
    }

    /**
     * What can be read without blocking: at least the buffered and the underlying stream's available octets (a CR
     * inserted later only adds to it). Readers that size their reads by it (Netty's {@code ChunkedStream} in James)
     * would otherwise read one octet at a time.
     */
    @Override
    public int available() throws IOException {
        long n = (pendingLf ? 1L : 0L) + (limit - position) + in.available();
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean fill() throws IOException {
        int r = in.read(buffer, 0, buffer.length);
        if (r <= 0) {
            return false;
        }
        position = 0;
        limit = r;
        return true;
    }
}
