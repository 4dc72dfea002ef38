package dev.poplar.pop3.server.internal.codec;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LineEndsTest {

    @Test
    void findsTheFirstLineFeedAtEveryPositionAndAlignment() {
        for (int length = 0; length < 40; length++) {
            for (int lf = 0; lf <= length; lf++) {
                byte[] octets = new byte[length + 3];
                java.util.Arrays.fill(octets, (byte) 'x');
                if (lf < length) {
                    octets[1 + lf] = '\n';
                }
                assertThat(LineEnds.indexOfLf(octets, 1, 1 + length)).as("length %d, lf %d", length, lf)
                        .isEqualTo(1 + lf);
            }
        }
    }

    @Test
    void bytesNextToALineFeedInValueAreNotMistakenForIt() {
        // 0x0B, 0x09, 0x8A and 0x0A | 0x80 differ from '\n' in one bit, and borrows must not leak between bytes.
        byte[] near = {0x0B, 0x09, (byte) 0x8A, 0x00, (byte) 0xFF, 0x01, 0x0B, (byte) 0x8A, 0x0B, 0x0B, '\n'};
        assertThat(LineEnds.indexOfLf(near, 0, near.length)).isEqualTo(10);
    }

    @Test
    void agreesWithAPlainScanOnRandomInput() {
        Random random = new Random(42);
        for (int round = 0; round < 10_000; round++) {
            byte[] octets = new byte[random.nextInt(64)];
            for (int i = 0; i < octets.length; i++) {
                octets[i] = (byte) (random.nextInt(8) == 0 ? '\n' : random.nextInt(256));
            }
            int from = octets.length == 0 ? 0 : random.nextInt(octets.length);
            int expected = from;
            while (expected < octets.length && octets[expected] != '\n') {
                expected++;
            }
            assertThat(LineEnds.indexOfLf(octets, from, octets.length)).isEqualTo(expected);
        }
    }
}
