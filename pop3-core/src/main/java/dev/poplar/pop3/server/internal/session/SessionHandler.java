package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.Engine;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;

/** Connects MINA's events for one listener to the {@link Pop3Session}s. Runs on the I/O threads. */
public final class SessionHandler extends IoHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);
    private static final AttributeKey SESSION = new AttributeKey(SessionHandler.class, "session");

    private final Engine engine;
    private final Listener listener;

    /**
     * Creates the handler of one listener.
     *
     * @param engine the server
     * @param listener the listener
     */
    public SessionHandler(Engine engine, Listener listener) {
        this.engine = engine;
        this.listener = listener;
    }

    @Override
    public void sessionOpened(IoSession io) {
        Pop3Session session = engine.accept(io, listener);
        if (session == null) {
            return;
        }
        io.setAttribute(SESSION, session);
        session.opened();
    }

    @Override
    public void messageReceived(IoSession io, Object message) {
        Pop3Session session = session(io);
        if (session != null) {
            session.received((IoBuffer) message);
        }
    }

    @Override
    public void event(IoSession io, FilterEvent event) {
        Pop3Session session = session(io);
        if (session != null && event == SslEvent.SECURED) {
            session.secured();
        }
    }

    @Override
    public void sessionIdle(IoSession io, IdleStatus status) {
        Pop3Session session = session(io);
        if (session != null) {
            session.idle();
        }
    }

    @Override
    public void exceptionCaught(IoSession io, Throwable cause) {
        Pop3Session session = session(io);
        String who = session == null ? String.valueOf(io.getRemoteAddress()) : session.id();
        if (io.isClosing() || (session != null && session.closing())) {
            // Already on the way out: closing now would only discard what is still queued (a last reply, a TLS
            // close_notify).
            LOG.debug("failure on connection {} while it closes: {}", who, cause.toString());
            return;
        }
        if (isTlsFailure(io, cause)) {
            engine.tlsHandshakeFailed();
            LOG.info("TLS handshake with {} ({}) failed: {}", who, io.getRemoteAddress(), rootMessage(cause));
            if (session != null) {
                session.failed(EndReason.TLS_FAILED);
            } else {
                io.closeNow();
            }
        } else if (cause instanceof IOException) {
            LOG.debug("connection {} failed: {}", who, cause.toString());
            if (session != null) {
                session.failed(EndReason.IO_ERROR);
            } else {
                io.closeNow();
            }
        } else {
            LOG.warn("unexpected failure on connection {}", who, cause);
            if (session != null) {
                session.failed(EndReason.IO_ERROR);
            } else {
                io.closeNow();
            }
        }
    }

    @Override
    public void sessionClosed(IoSession io) {
        engine.connectionClosed(io);
        Pop3Session session = session(io);
        if (session != null) {
            session.closed();
        }
    }

    private static Pop3Session session(IoSession io) {
        return (Pop3Session) io.getAttribute(SESSION);
    }

    private static boolean isTlsFailure(IoSession io, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        IoFilterChain chain = io.getFilterChain();
        return chain.contains("tls") && io.getAttribute(org.apache.mina.filter.ssl.SslFilter.SSL_SECURED) == null
                && !(cause instanceof IOException);
    }

    private static String rootMessage(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
