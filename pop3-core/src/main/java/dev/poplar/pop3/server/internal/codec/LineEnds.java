package dev.poplar.pop3.server.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Finds line feeds eight octets at a time (SWAR): the encoder's inner loop, several times faster than one by one. */
final class LineEnds {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long LF = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private LineEnds() {
    }

    /**
     * The index of the first {@code \n} in {@code array[from, to)}.
     *
     * @param array the octets
     * @param from the first index to look at
     * @param to the end, exclusive
     * @return the index, or {@code to} if there is none
     */
    static int indexOfLf(byte[] array, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = (long) LONGS.get(array, i) ^ LF;
            // A zero byte in word is a line feed in the input (the classic "has zero byte" test); the lowest set
            // high bit marks the first one, as the word was read little-endian.
            long found = (word - ONES) & ~word & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (array[i] == '\n') {
                return i;
            }
        }
        return to;
    }
}
