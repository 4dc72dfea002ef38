package dev.poplar.pop3.bench;

/**
 * Finds the end of a POP3 multi-line response body (RFC 1939 section 3) in a stream of bytes fed in any
 * chunking, counting the octets and lines of the body after removing dot-stuffing.
 *
 * <p>Not thread-safe: one instance per response being read.
 */
final class MultiLineScanner {

    private enum State { LINE_START, MID_LINE, DOT, DOT_CR, DONE }

    private State state = State.LINE_START;
    private long octets;
    private long lines;

    /**
     * Feeds bytes that follow the status line.
     *
     * @return the index just past the terminating {@code .CRLF}, or {@code -1} if all bytes were body
     */
    int feed(byte[] buffer, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            switch (state) {
                case MID_LINE -> {
                    int j = i;
                    while (j < end && buffer[j] != '\n') {
                        j++;
                    }
                    if (j == end) {
                        octets += j - i;
                        return -1;
                    }
                    octets += j - i + 1;
                    lines++;
                    state = State.LINE_START;
                    i = j + 1;
                }
                case LINE_START -> {
                    if (buffer[i] == '.') {
                        state = State.DOT;
                        i++;
                    } else {
                        state = State.MID_LINE;
                    }
                }
                case DOT -> {
                    if (buffer[i] == '\r') {
                        state = State.DOT_CR;
                        i++;
                    } else if (buffer[i] == '\n') {
                        state = State.DONE;
                        return i + 1;
                    } else {
                        // a stuffed dot: the first one is not part of the body (RFC 1939 section 3)
                        state = State.MID_LINE;
                    }
                }
                case DOT_CR -> {
                    if (buffer[i] == '\n') {
                        state = State.DONE;
                        return i + 1;
                    }
                    octets++;
                    state = State.MID_LINE;
                }
                case DONE -> throw new IllegalStateException("response already complete");
            }
        }
        return -1;
    }

    /** Whether the terminating line has been seen. */
    boolean done() {
        return state == State.DONE;
    }

    /** Octets of the body so far, line ends included, dot-stuffing removed. */
    long octets() {
        return octets;
    }

    /** Complete lines of the body so far. */
    long lines() {
        return lines;
    }
}
