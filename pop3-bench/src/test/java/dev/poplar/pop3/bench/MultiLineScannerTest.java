package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MultiLineScannerTest {

    private static final byte[] REPLY = "first line\r\n..stuffed\r\n\r\n.\r\nNEXT".getBytes(StandardCharsets.US_ASCII);
    private static final int END = REPLY.length - "NEXT".length();

    @Test
    void findsTheTerminatorAndCountsTheUnstuffedBodyFedAtOnce() {
        MultiLineScanner scanner = new MultiLineScanner();

        int end = scanner.feed(REPLY, 0, REPLY.length);

        assertThat(end).isEqualTo(END);
        assertThat(scanner.done()).isTrue();
        assertThat(scanner.lines()).isEqualTo(3);
        assertThat(scanner.octets()).isEqualTo("first line\r\n.stuffed\r\n\r\n".length());
    }

    @Test
    void givesTheSameAnswerFedOneByteAtATime() {
        MultiLineScanner scanner = new MultiLineScanner();
        int end = -1;
        for (int i = 0; i < REPLY.length && end < 0; i++) {
            end = scanner.feed(REPLY, i, 1);
        }

        assertThat(end).isEqualTo(END);
        assertThat(scanner.lines()).isEqualTo(3);
        assertThat(scanner.octets()).isEqualTo("first line\r\n.stuffed\r\n\r\n".length());
    }

    @Test
    void aDotInsideALineOrALineStartingWithTwoDotsDoesNotEndTheBody() {
        MultiLineScanner scanner = new MultiLineScanner();
        byte[] body = "a.\r\n..\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(scanner.feed(body, 0, body.length)).isEqualTo(-1);
        assertThat(scanner.done()).isFalse();
        assertThat(scanner.octets()).isEqualTo("a.\r\n.\r\n".length());
    }

    @Test
    void anEmptyBodyIsJustTheTerminator() {
        MultiLineScanner scanner = new MultiLineScanner();
        byte[] body = ".\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(scanner.feed(body, 0, body.length)).isEqualTo(3);
        assertThat(scanner.lines()).isZero();
        assertThat(scanner.octets()).isZero();
    }
}
