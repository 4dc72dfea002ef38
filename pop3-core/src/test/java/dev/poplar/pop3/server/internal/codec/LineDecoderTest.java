package dev.poplar.pop3.server.internal.codec;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LineDecoderTest {

    /** Feeds the octets one at a time, as the slowest network would deliver them. */
    static List<Line> byteByByte(LineDecoder decoder, String octets) {
        List<Line> lines = new ArrayList<>();
        for (byte b : octets.getBytes(StandardCharsets.UTF_8)) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {b});
            Line line = decoder.next(one);
            if (line != null) {
                lines.add(line);
            }
            assertThat(one.hasRemaining()).isFalse();
        }
        return lines;
    }

    static List<Line> all(LineDecoder decoder, String octets) {
        List<Line> lines = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(octets.getBytes(StandardCharsets.UTF_8));
        for (Line line; (line = decoder.next(in)) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    @Nested
    class LineEnds {
        @Test
        void crlfEndsALineAndIsNotPartOfIt() {
            assertThat(byteByByte(new LineDecoder(255), "USER alice\r\nPASS x\r\n"))
                    .extracting(Line::text).containsExactly("USER alice", "PASS x");
        }

        @Test
        void aBareLineFeedIsTolerated() {
            assertThat(byteByByte(new LineDecoder(255), "STAT\nNOOP\n")).extracting(Line::text)
                    .containsExactly("STAT", "NOOP");
        }

        @Test
        void aBareCarriageReturnIsPartOfTheLine() {
            assertThat(all(new LineDecoder(255), "A\rB\r\n")).extracting(Line::text).containsExactly("A\rB");
        }

        @Test
        void anEmptyLineIsALine() {
            assertThat(all(new LineDecoder(255), "\r\n")).singleElement()
                    .satisfies(l -> assertThat(l.text()).isEmpty());
        }

        @Test
        void anUnfinishedLineIsKeptUntilItsEnd() {
            LineDecoder decoder = new LineDecoder(255);
            assertThat(all(decoder, "US")).isEmpty();
            assertThat(decoder.hasPartialLine()).isTrue();
            assertThat(all(decoder, "ER a\r\n")).extracting(Line::text).containsExactly("USER a");
            assertThat(decoder.hasPartialLine()).isFalse();
        }

        @Test
        void resetForgetsAPartialLine() {
            LineDecoder decoder = new LineDecoder(255);
            all(decoder, "GARBAGE");
            decoder.reset();
            assertThat(all(decoder, "NOOP\r\n")).extracting(Line::text).containsExactly("NOOP");
        }
    }

    @Nested
    class Limit {
        @Test
        void aLineOfExactlyTheLimitWithCrlfIsAccepted() {
            String line = "x".repeat(253);
            assertThat(byteByByte(new LineDecoder(255), line + "\r\n")).singleElement()
                    .satisfies(l -> {
                        assertThat(l.tooLong()).isFalse();
                        assertThat(l.text()).isEqualTo(line);
                        assertThat(l.octets()).isEqualTo(255);
                    });
        }

        @Test
        void aLineOneOctetOverTheLimitIsReportedOnceAsTooLong() {
            List<Line> lines = byteByByte(new LineDecoder(255), "x".repeat(254) + "\r\nNOOP\r\n");
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).tooLong()).isTrue();
            assertThat(lines.get(0).octets()).isEqualTo(256);
            assertThat(lines.get(1).text()).isEqualTo("NOOP");
        }

        @Test
        void aHugeLineIsDiscardedWithoutBeingBuffered() {
            List<Line> lines = all(new LineDecoder(255), "y".repeat(100_000) + "\nSTAT\n");
            assertThat(lines).extracting(Line::tooLong).containsExactly(true, false);
            assertThat(lines.get(0).octets()).isEqualTo(100_001);
        }
    }

    @Test
    void utf8IsDecodedAndMalformedOctetsAreReplaced() {
        LineDecoder decoder = new LineDecoder(255);
        assertThat(all(decoder, "USER jürgen\r\n")).extracting(Line::text).containsExactly("USER jürgen");
        ByteBuffer malformed = ByteBuffer.wrap(new byte[] {'A', (byte) 0xFF, 'B', '\n'});
        assertThat(decoder.next(malformed).text()).isEqualTo("A\uFFFDB");
    }
}
