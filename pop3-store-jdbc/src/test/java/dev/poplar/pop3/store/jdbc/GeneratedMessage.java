package dev.poplar.pop3.store.jdbc;

import java.io.InputStream;

/**
 * A large message made up on the fly, never held in memory: lines of 77 octets ended by LF, every 1,000th starting
 * with a dot, so that it is neither in wire form nor dot-free. The same length always gives the same octets.
 */
final class GeneratedMessage extends InputStream {

    private static final int LINE = 78;

    private final long length;
    private long position;

    /**
     * A message of the given length.
     *
     * @param length how many octets
     */
    GeneratedMessage(long length) {
        this.length = length;
    }

    @Override
    public int read() {
        if (position == length) {
            return -1;
        }
        return octet(position++);
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position == length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) octet(position++);
        }
        return n;
    }

    private static int octet(long at) {
        long line = at / LINE;
        int column = (int) (at % LINE);
        if (column == LINE - 1) {
            return '\n';
        }
        if (column == 0 && line % 1_000 == 0) {
            return '.';
        }
        return 'a' + (int) ((line * 7 + column) % 26);
    }
}
