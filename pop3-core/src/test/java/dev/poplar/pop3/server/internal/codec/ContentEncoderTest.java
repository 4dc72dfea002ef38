package dev.poplar.pop3.server.internal.codec;

import dev.poplar.pop3.store.ContentFacts;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ContentEncoderTest {

    /** Encodes feeding {@code inChunk} octets at a time into output buffers of {@code outSize} octets. */
    static String encode(ContentEncoder encoder, byte[] content, int inChunk, int outSize) {
        return encode(encoder, content, inChunk, outSize, false);
    }

    /** As above; {@code viaBuffers} hides the arrays so that the encoder takes its ByteBuffer path. */
    static String encode(ContentEncoder encoder, byte[] content, int inChunk, int outSize, boolean viaBuffers) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteBuffer out = viaBuffers ? ByteBuffer.allocateDirect(outSize) : ByteBuffer.allocate(outSize);
        int offset = 0;
        while (offset < content.length && !encoder.isDone()) {
            int n = Math.min(inChunk, content.length - offset);
            ByteBuffer in = ByteBuffer.wrap(content, offset, n);
            if (viaBuffers) {
                in = in.asReadOnlyBuffer();
            }
            while (in.hasRemaining() && !encoder.isDone()) {
                encoder.encode(in, out);
                out.flip();
                byte[] chunk = new byte[out.remaining()];
                out.get(chunk);
                wire.write(chunk, 0, chunk.length);
                out.clear();
            }
            offset += n;
        }
        ByteBuffer end = ByteBuffer.allocate(ContentEncoder.FINISH_OCTETS);
        encoder.finish(end);
        wire.write(end.array(), 0, end.position());
        return wire.toString(StandardCharsets.ISO_8859_1);
    }

    static String retr(String content) {
        return encode(ContentEncoder.whole(false), content.getBytes(StandardCharsets.ISO_8859_1), 1, 2);
    }

    @Nested
    class Retr {
        @Test
        void lfBecomesCrlfAndCrlfStays() {
            assertThat(retr("a\nb\r\nc\n")).isEqualTo("a\r\nb\r\nc\r\n.\r\n");
        }

        @Test
        void linesStartingWithADotAreStuffed() {
            assertThat(retr(".\n..x\nx.\n.")).isEqualTo("..\r\n...x\r\nx.\r\n..\r\n.\r\n");
        }

        @Test
        void contentWithoutAFinalLineEndGetsOne() {
            assertThat(retr("no end")).isEqualTo("no end\r\n.\r\n");
        }

        @Test
        void emptyContentIsJustTheTerminator() {
            assertThat(retr("")).isEqualTo(".\r\n");
        }

        @Test
        void aCrAtTheEndOfOneChunkAndLfAtTheStartOfTheNextIsOneLineEnd() {
            byte[] content = "a\r\nb\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int chunk = 1; chunk <= content.length; chunk++) {
                for (int out = 2; out <= 16; out++) {
                    assertThat(encode(ContentEncoder.whole(false), content, chunk, out))
                            .as("chunk %d out %d", chunk, out).isEqualTo("a\r\nb\r\n.\r\n");
                }
            }
        }

        @Test
        void wireReadyContentIsCopiedUnchanged() {
            assertThat(encode(ContentEncoder.whole(true), "a\r\nb\r\n".getBytes(StandardCharsets.US_ASCII), 3, 4))
                    .isEqualTo("a\r\nb\r\n.\r\n");
        }

        @ParameterizedTest
        @ValueSource(longs = {1, 2, 3, 42, 1234})
        void randomContentUnstuffsToTheSizeThatContentFactsAnnounces(long seed) {
            Random random = new Random(seed);
            byte[] alphabet = {'.', '\r', '\n', 'a', ' ', (byte) 0xE9};
            byte[] content = new byte[random.nextInt(5000)];
            for (int i = 0; i < content.length; i++) {
                content[i] = alphabet[random.nextInt(alphabet.length)];
            }
            int inChunk = 1 + random.nextInt(50);
            int outSize = 2 + random.nextInt(50);
            String wire = encode(ContentEncoder.whole(false), content, inChunk, outSize);
            assertThat(encode(ContentEncoder.whole(false), content, inChunk, outSize, true))
                    .as("the ByteBuffer path agrees with the array path").isEqualTo(wire);
            assertThat(wire).endsWith(".\r\n");
            String body = wire.substring(0, wire.length() - 3);
            // Un-stuff: a line that starts with a dot loses it.
            StringBuilder unstuffed = new StringBuilder();
            boolean lineStart = true;
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (lineStart && c == '.') {
                    lineStart = false;
                    continue;
                }
                unstuffed.append(c);
                lineStart = c == '\n';
            }
            assertThat((long) unstuffed.length()).isEqualTo(ContentFacts.of(content).size());
            assertThat(body).doesNotContain("\n\n").doesNotContainPattern("[^\r]\n");
        }
    }

    @Nested
    class Top {
        static final String MESSAGE = "From: a\nSubject: b\n\nl1\nl2\n.l3\nl4\n";

        String top(int lines) {
            return encode(ContentEncoder.top(lines), MESSAGE.getBytes(StandardCharsets.US_ASCII), 1, 3);
        }

        @Test
        void zeroLinesSendsTheHeaderAndTheBlankLine() {
            assertThat(top(0)).isEqualTo("From: a\r\nSubject: b\r\n\r\n.\r\n");
        }

        @Test
        void someLinesAreSentAndStuffed() {
            assertThat(top(3)).isEqualTo("From: a\r\nSubject: b\r\n\r\nl1\r\nl2\r\n..l3\r\n.\r\n");
        }

        @Test
        void moreLinesThanTheBodyHasSendsTheWholeMessage() {
            assertThat(top(100)).isEqualTo("From: a\r\nSubject: b\r\n\r\nl1\r\nl2\r\n..l3\r\nl4\r\n.\r\n");
        }

        @Test
        void aMessageWithoutABodySendsEverything() {
            assertThat(encode(ContentEncoder.top(0), "Subject: x\r\nX: y".getBytes(StandardCharsets.US_ASCII), 2, 5))
                    .isEqualTo("Subject: x\r\nX: y\r\n.\r\n");
        }

        @Test
        void theEncoderSaysWhenItNeedsNoMoreInput() {
            ContentEncoder encoder = ContentEncoder.top(1);
            ByteBuffer in = ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.US_ASCII));
            encoder.encode(in, ByteBuffer.allocate(1000));
            assertThat(encoder.isDone()).isTrue();
            assertThat(in.hasRemaining()).isTrue();
        }
    }
}
