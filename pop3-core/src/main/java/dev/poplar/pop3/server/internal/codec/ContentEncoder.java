package dev.poplar.pop3.server.internal.codec;

import java.nio.ByteBuffer;

/**
 * Turns stored message octets into the body of a POP3 multi-line response (RFC 1939 section 3): every line end
 * becomes CRLF, a line beginning with {@code .} gets one more {@code .} (byte-stuffing), and {@link #finish} adds a
 * final CRLF if the content did not end with one, then the terminating {@code .CRLF}. For {@code TOP} it stops after
 * the header, the blank line and the requested number of body lines (RFC 1939 section 7).
 *
 * <p>Incremental and allocation-free: the caller feeds the content chunk by chunk; state (line start, a CR at the end
 * of the previous chunk, the TOP line count) carries over. Not thread-safe.
 */
public final class ContentEncoder {

    /** The most octets {@link #finish} writes. */
    public static final int FINISH_OCTETS = 5;

    private final long bodyLines;
    private final boolean raw;
    private boolean atLineStart = true;
    private boolean previousCr;
    private boolean inBody;
    private int lineLength;
    private long bodyLinesSent;
    private long octetsIn;
    private boolean done;

    private ContentEncoder(long bodyLines, boolean raw) {
        this.bodyLines = bodyLines;
        this.raw = raw;
    }

    /**
     * An encoder for a whole message ({@code RETR}).
     *
     * @param wireReady whether the content is known to need no conversion (copied as is)
     * @return a new encoder
     */
    public static ContentEncoder whole(boolean wireReady) {
        return new ContentEncoder(-1, wireReady);
    }

    /**
     * An encoder for the header and the first lines of the body ({@code TOP}).
     *
     * @param bodyLines how many body lines to send after the blank line
     * @return a new encoder
     */
    public static ContentEncoder top(long bodyLines) {
        if (bodyLines < 0) {
            throw new IllegalArgumentException("bodyLines must not be negative");
        }
        return new ContentEncoder(bodyLines, false);
    }

    /**
     * Whether the encoder needs no more input: for {@code TOP}, the last requested line has been encoded.
     *
     * @return {@code true} once no further content will be sent
     */
    public boolean isDone() {
        return done;
    }

    /**
     * Encodes from {@code in} into {@code out} until {@code in} is empty, {@code out} is nearly full, or (for TOP) the
     * requested lines are out. Both positions advance.
     *
     * @param in stored octets
     * @param out wire octets
     */
    public void encode(ByteBuffer in, ByteBuffer out) {
        if (raw) {
            int n = Math.min(in.remaining(), out.remaining());
            if (n > 0) {
                ByteBuffer slice = in.slice();
                slice.limit(n);
                out.put(slice);
                in.position(in.position() + n);
                octetsIn += n;
            }
            return;
        }
        if (in.hasArray() && out.hasArray() && !in.isReadOnly() && !out.isReadOnly()) {
            encodeArrays(in, out);
            return;
        }
        while (in.hasRemaining() && !done && out.remaining() >= 2) {
            int start = in.position();
            if (atLineStart) {
                if (in.get(start) == '.') {
                    out.put((byte) '.');
                }
                atLineStart = false;
            }
            int limit = Math.min(in.limit(), start + out.remaining() - 1);
            int i = start;
            while (i < limit && in.get(i) != '\n') {
                i++;
            }
            int run = i - start;
            if (run > 0) {
                previousCr = in.get(i - 1) == '\r';
                lineLength += run;
                ByteBuffer slice = in.slice();
                slice.limit(run);
                out.put(slice);
            }
            octetsIn += run;
            if (i < limit) {
                if (!previousCr) {
                    out.put((byte) '\r');
                }
                out.put((byte) '\n');
                octetsIn++;
                i++;
                endOfLine();
            }
            in.position(i);
        }
    }

    /** The same as the buffer loop in {@link #encode}, over the backing arrays: the common case, about twice as fast. */
    private void encodeArrays(ByteBuffer in, ByteBuffer out) {
        if (bodyLines < 0) {
            encodeWholeArrays(in, out);
            return;
        }
        byte[] src = in.array();
        byte[] dst = out.array();
        int inBase = in.arrayOffset();
        int outBase = out.arrayOffset();
        int ip = in.position();
        int inLimit = in.limit();
        int op = out.position();
        int outLimit = out.limit();
        while (ip < inLimit && !done && outLimit - op >= 2) {
            if (atLineStart) {
                if (src[inBase + ip] == '.') {
                    dst[outBase + op++] = '.';
                }
                atLineStart = false;
            }
            int limit = Math.min(inLimit, ip + (outLimit - op) - 1);
            int i = LineEnds.indexOfLf(src, inBase + ip, inBase + limit) - inBase;
            int run = i - ip;
            if (run > 0) {
                previousCr = src[inBase + i - 1] == '\r';
                lineLength += run;
                System.arraycopy(src, inBase + ip, dst, outBase + op, run);
                op += run;
            }
            octetsIn += run;
            if (i < limit) {
                if (!previousCr) {
                    dst[outBase + op++] = '\r';
                }
                dst[outBase + op++] = '\n';
                octetsIn++;
                i++;
                endOfLine();
            }
            ip = i;
        }
        in.position(ip);
        out.position(op);
    }

    /**
     * The loop of {@link #encodeArrays} for a whole message (RETR), which counts no lines: its state lives in locals
     * while it runs, about a fifth faster than the general loop (the fields would be written back at every line).
     */
    private void encodeWholeArrays(ByteBuffer in, ByteBuffer out) {
        byte[] src = in.array();
        byte[] dst = out.array();
        int inBase = in.arrayOffset();
        int outBase = out.arrayOffset();
        int ipStart = inBase + in.position();
        int ip = ipStart;
        int inLimit = inBase + in.limit();
        int op = outBase + out.position();
        int outLimit = outBase + out.limit();
        boolean lineStart = atLineStart;
        boolean cr = previousCr;
        while (ip < inLimit && outLimit - op >= 2) {
            if (lineStart) {
                if (src[ip] == '.') {
                    dst[op++] = '.';
                }
                lineStart = false;
            }
            int limit = Math.min(inLimit, ip + (outLimit - op) - 1);
            int i = LineEnds.indexOfLf(src, ip, limit);
            int run = i - ip;
            if (run > 0) {
                cr = src[i - 1] == '\r';
                System.arraycopy(src, ip, dst, op, run);
                op += run;
            }
            if (i < limit) {
                if (!cr) {
                    dst[op++] = '\r';
                }
                dst[op++] = '\n';
                i++;
                lineStart = true;
                cr = false;
            }
            ip = i;
        }
        atLineStart = lineStart;
        previousCr = cr;
        octetsIn += ip - ipStart;
        in.position(ip - inBase);
        out.position(op - outBase);
    }

    private void endOfLine() {
        boolean blank = lineLength == 0 || (lineLength == 1 && previousCr);
        atLineStart = true;
        previousCr = false;
        lineLength = 0;
        if (bodyLines < 0) {
            return;
        }
        if (inBody) {
            bodyLinesSent++;
        } else if (blank) {
            inBody = true;
        }
        if (inBody && bodyLinesSent >= bodyLines) {
            done = true;
        }
    }

    /**
     * Ends the response: a CRLF if the content did not end with a line end, then {@code .CRLF}.
     *
     * @param out wire octets, with at least {@link #FINISH_OCTETS} octets of room
     */
    public void finish(ByteBuffer out) {
        if (!raw && octetsIn > 0 && !atLineStart) {
            out.put((byte) '\r').put((byte) '\n');
        }
        out.put((byte) '.').put((byte) '\r').put((byte) '\n');
    }
}
