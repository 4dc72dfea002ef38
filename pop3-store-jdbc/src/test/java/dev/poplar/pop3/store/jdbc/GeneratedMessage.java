package dev.poplar.pop3.store.jdbc;

import java.io.InputStream;

/**
 * A large message made up on the fly, never held in memory: lines of 77 octets ended by LF, every 1,000th starting
 * with a dot, so that it is neither in wire form nor dot-free. The same length always gives the same octets.
 */
final class GeneratedMessage extends InputStream {

    private static final int LINE = 78;
    private static final byte[][] LINES = new byte[26][LINE];

    static {
        for (int variant = 0; variant < 26; variant++) {
            for (int column = 0; column < LINE - 1; column++) {
                LINES[variant][column] = (byte) ('a' + (variant + column) % 26);
            }
            LINES[variant][LINE - 1] = '\n';
        }
    }

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
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position == length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int done = 0; done < n; ) {
            long line = position / LINE;
            int column = (int) (position % LINE);
            int run = Math.min(n - done, LINE - column);
            System.arraycopy(LINES[(int) (line * 7 % 26)], column, b, off + done, run);
            if (column == 0 && line % 1_000 == 0) {
                b[off + done] = '.';
            }
            done += run;
            position += run;
        }
        return n;
    }
}
