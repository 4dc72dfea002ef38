package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.internal.proxy.ProxyHeader;
import dev.poplar.pop3.server.internal.proxy.ProxyHeaderException;
import dev.poplar.pop3.server.internal.proxy.ProxyHeaderParser;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;

/**
 * The first filter of a connection on a listener behind a PROXY protocol balancer, below TLS, on the I/O thread.
 *
 * <p>On a connection from a trusted source it holds all input until the header is complete, then reports it and
 * removes itself; what followed the header goes on up the chain (to the TLS filter the report may have installed
 * above it, or to the connection). A malformed header, or none within the deadline from accept (checked at each read
 * and at the idle event the handler arms), is reported as a failure. On a connection from any other source it only
 * looks at the first octets: if they start a PROXY header the connection is reported as a protocol error, otherwise
 * the filter removes itself and passes them on.
 */
final class ProxyFilter extends IoFilterAdapter {

    /** The filter's name in the chain; TLS is installed after it while it is there. */
    static final String NAME = "proxy";

    /** What the handler learns. I/O thread. */
    interface Outcome {
        /**
         * The header is complete; the filter removes itself and passes on what follows once this returns.
         *
         * @param header the header
         */
        void received(ProxyHeader header);

        /**
         * No valid header (trusted source), or a header where none may be (other sources). Nothing more is passed
         * on.
         *
         * @param problem what was wrong, for the log
         */
        void refused(String problem);
    }

    private final ProxyHeaderParser parser;
    private final long deadlineNanos;
    private final Outcome outcome;
    private IoBuffer held;
    private boolean finished;

    private ProxyFilter(ProxyHeaderParser parser, long deadlineNanos, Outcome outcome) {
        this.parser = parser;
        this.deadlineNanos = deadlineNanos;
        this.outcome = outcome;
    }

    /**
     * A filter that reads the header of a trusted source.
     *
     * @param deadlineNanos the {@link System#nanoTime()} by which the header must be complete
     * @param outcome told of the header or the failure
     * @return the filter
     */
    static ProxyFilter expectingHeader(long deadlineNanos, Outcome outcome) {
        return new ProxyFilter(new ProxyHeaderParser(), deadlineNanos, outcome);
    }

    /**
     * A filter that refuses a header from a source that is not trusted.
     *
     * @param outcome told if the connection starts with a header
     * @return the filter
     */
    static ProxyFilter refusingHeader(Outcome outcome) {
        return new ProxyFilter(null, Long.MAX_VALUE, outcome);
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        if (finished || !(message instanceof IoBuffer buffer)) {
            if (!finished) {
                next.messageReceived(session, message);
            }
            return;
        }
        if (parser == null) {
            sniff(next, session, buffer);
            return;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            fail("the header was not complete within the header timeout");
            return;
        }
        ProxyHeader header;
        try {
            header = parser.feed(buffer.buf());
        } catch (ProxyHeaderException e) {
            fail(e.getMessage());
            return;
        }
        if (header != null) {
            finished = true;
            outcome.received(header);
            passOn(next, session, buffer);
        }
    }

    private void sniff(NextFilter next, IoSession session, IoBuffer buffer) {
        IoBuffer start = buffer;
        if (held != null) {
            held.put(buffer).flip();
            start = held;
        }
        ProxyHeaderParser.Detection detection = ProxyHeaderParser.detect(start.buf());
        if (detection == ProxyHeaderParser.Detection.HEADER) {
            fail("a PROXY protocol header from a source that is not trusted");
        } else if (detection == ProxyHeaderParser.Detection.NOT_HEADER) {
            finished = true;
            held = null;
            passOn(next, session, start);
        } else if (held == null) {
            held = IoBuffer.allocate(32).setAutoExpand(true).put(buffer);
        } else {
            held.position(held.limit()).limit(held.capacity());
        }
    }

    private void passOn(NextFilter next, IoSession session, IoBuffer rest) {
        session.getFilterChain().remove(this);
        if (rest.hasRemaining() && !session.isClosing()) {
            // The removed entry still leads to what follows it, including a TLS filter added after it just now.
            next.messageReceived(session, rest);
        }
    }

    @Override
    public void sessionIdle(NextFilter next, IoSession session, IdleStatus status) {
        if (finished || parser == null) {
            next.sessionIdle(session, status);
        } else {
            fail("no complete header within the header timeout");
        }
    }

    private void fail(String problem) {
        finished = true;
        held = null;
        outcome.refused(problem);
    }
}
