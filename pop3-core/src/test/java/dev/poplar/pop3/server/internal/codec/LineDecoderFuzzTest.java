package dev.poplar.pop3.server.internal.codec;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the command line decoder: arbitrary octets, cut into arbitrary packets. Runs its seeds in every build
 * (regression mode); {@code JAZZER_FUZZ=1} fuzzes (see the README's "Fuzzing" section).
 */
class LineDecoderFuzzTest {

    /**
     * Whatever the octets and however they are cut into packets, the decoder returns the same lines, accounts for every
     * octet, never returns a line over its limit or holding a line feed, and holds at most the limit in memory.
     *
     * <p>The input: one octet for the limit (3 to 258), one for the sizes of the packets (1 to 16, alternating: low
     * and high half), then the octets.
     *
     * @param input the fuzzer's input
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"USER ", "AUTH PLAIN "})
    void linesDoNotDependOnPacketsAndMemoryStaysBounded(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        int limit = 3 + (input[0] & 0xFF);
        int[] packets = {1 + (input[1] & 0x0F), 1 + ((input[1] >> 4) & 0x0F)};
        byte[] octets = Arrays.copyOfRange(input, 2, input.length);

        LineDecoder whole = new LineDecoder(limit);
        ByteBuffer all = ByteBuffer.wrap(octets);
        List<Line> expected = new ArrayList<>();
        for (Line line; (line = whole.next(all)) != null; ) {
            expected.add(line);
            assertThat(buffered(whole)).isLessThanOrEqualTo(Math.max(128, limit - 1));
        }
        assertThat(all.hasRemaining()).isFalse();

        LineDecoder cut = new LineDecoder(limit);
        List<Line> actual = new ArrayList<>();
        int offset = 0;
        int packet = 0;
        while (offset < octets.length) {
            int size = packets[packet++ % packets.length];
            ByteBuffer in = ByteBuffer.wrap(octets, offset, Math.min(size, octets.length - offset));
            for (Line line; (line = cut.next(in)) != null; ) {
                actual.add(line);
            }
            assertThat(in.hasRemaining()).isFalse();
            assertThat(buffered(cut)).isLessThanOrEqualTo(Math.max(128, limit - 1));
            offset += size;
        }
        assertThat(actual).isEqualTo(expected);

        long accounted = 0;
        int lineFeeds = 0;
        for (byte b : octets) {
            lineFeeds += b == '\n' ? 1 : 0;
        }
        for (Line line : actual) {
            accounted += line.octets();
            assertThat(line.text()).doesNotContain("\n");
            if (line.tooLong()) {
                assertThat(line.octets()).isGreaterThan(limit);
                assertThat(line.text()).isEmpty();
            } else {
                assertThat(line.octets()).isBetween(1, limit);
            }
        }
        assertThat(actual).hasSize(lineFeeds);
        int lastLineFeed = lastIndexOf(octets, (byte) '\n');
        assertThat(accounted).isEqualTo(lastLineFeed + 1L);
        assertThat(cut.hasPartialLine()).isEqualTo(lastLineFeed < octets.length - 1);
    }

    private static int lastIndexOf(byte[] octets, byte b) {
        for (int i = octets.length - 1; i >= 0; i--) {
            if (octets[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The size of the decoder's line buffer: what one connection holds for a partial line. */
    private static int buffered(LineDecoder decoder) throws ReflectiveOperationException {
        Field buffer = LineDecoder.class.getDeclaredField("buffer");
        buffer.setAccessible(true);
        return ((byte[]) buffer.get(decoder)).length;
    }
}
