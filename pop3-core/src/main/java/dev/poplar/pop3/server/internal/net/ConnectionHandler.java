package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.ProxyProtocol;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.proxy.ProxyHeader;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteToClosedSessionException;
import org.apache.mina.filter.FilterEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Connects MINA's events for one listener to {@link Connection}s, on the I/O threads. A new connection is first
 * admitted (or refused) by the {@link Admission}. On a listener behind a PROXY protocol balancer, a
 * {@link ProxyFilter} goes first in the chain: for a trusted source the connection (and its session) starts only once
 * the header has named the client.
 */
public final class ConnectionHandler extends IoHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final AttributeKey CONNECTION = new AttributeKey(ConnectionHandler.class, "connection");

    /** Admits connections and learns of their end: the server's connection accounting. */
    public interface Admission {
        /**
         * Decides on a new connection.
         *
         * @param io the connection
         * @param listener where it came in
         * @return the session id, or {@code null} if the connection was refused (and is being closed)
         */
        String admit(IoSession io, Listener listener);

        /**
         * A trusted balancer's connection has named its client in a PROXY protocol header: counts it under the
         * client's address, or refuses it.
         *
         * @param io the connection
         * @param listener where it came in
         * @param id its session id
         * @param client the client's address from the header
         * @return {@code true} if admitted, {@code false} if refused (and being closed)
         */
        boolean proxied(IoSession io, Listener listener, String id, InetSocketAddress client);

        /**
         * A trusted balancer's connection sent no valid PROXY protocol header in time: closes and reports it.
         *
         * @param io the connection
         * @param listener where it came in
         * @param id its session id
         * @param problem what was wrong
         */
        void headerRefused(IoSession io, Listener listener, String id, String problem);

        /**
         * An admitted connection has its {@link Connection}.
         *
         * @param connection the connection
         */
        void opened(Connection connection);

        /**
         * A connection admitted earlier has closed and its session ended.
         *
         * @param connection the connection
         * @param summary what its session did
         */
        void ended(Connection connection, SessionSummary summary);

        /**
         * A connection closed (admitted or not): releases its counts.
         *
         * @param io the connection
         */
        void disconnected(IoSession io);

        /** Counts a failed TLS handshake. */
        void tlsFailed();
    }

    private final ConnectionServices services;
    private final Listener listener;
    private final Admission admission;

    /**
     * Creates the handler of one listener.
     *
     * @param services what connections share
     * @param listener the listener
     * @param admission the connection accounting
     */
    public ConnectionHandler(ConnectionServices services, Listener listener, Admission admission) {
        this.services = services;
        this.listener = listener;
        this.admission = admission;
    }

    @Override
    public void sessionOpened(IoSession io) {
        String id = admission.admit(io, listener);
        if (id == null) {
            return;
        }
        InetSocketAddress remote = (InetSocketAddress) io.getRemoteAddress();
        ProxyProtocol proxy = listener.proxyProtocol().orElse(null);
        if (proxy != null && proxy.trusts(remote.getAddress())) {
            // The session starts once the header has named the client.
            io.getConfig().setBothIdleTime((int) proxy.headerTimeout().toSeconds());
            io.getFilterChain().addFirst(ProxyFilter.NAME, ProxyFilter.expectingHeader(
                    System.nanoTime() + proxy.headerTimeout().toNanos(), new ProxyFilter.Outcome() {
                        @Override
                        public void received(ProxyHeader header) {
                            proxied(io, id, proxy, header);
                        }

                        @Override
                        public void refused(String problem) {
                            admission.headerRefused(io, listener, id, problem);
                        }
                    }));
            return;
        }
        if (proxy != null) {
            io.getFilterChain().addFirst(ProxyFilter.NAME, ProxyFilter.refusingHeader(new ProxyFilter.Outcome() {
                @Override
                public void received(ProxyHeader header) {
                    throw new IllegalStateException("a refusing filter reports no header");
                }

                @Override
                public void refused(String problem) {
                    LOG.info("connection {} from {}: {}; closing", id, remote, problem);
                    Connection connection = connection(io);
                    close(io, connection, EndReason.PROTOCOL_ERROR, false);
                }
            }));
        }
        open(io, id, remote, (InetSocketAddress) io.getLocalAddress(), false);
    }

    private void proxied(IoSession io, String id, ProxyProtocol proxy, ProxyHeader header) {
        InetSocketAddress remote = header.source().orElse((InetSocketAddress) io.getRemoteAddress());
        InetSocketAddress local = header.destination().orElse((InetSocketAddress) io.getLocalAddress());
        if (!admission.proxied(io, listener, id, remote)) {
            return;
        }
        boolean secure = proxy.trustClientTls() && header.clientUsedTls();
        LOG.debug("connection {} from {} via {} (PROXY v{}{})", id, remote, io.getRemoteAddress(), header.version(),
                secure ? ", TLS at the balancer" : "");
        open(io, id, remote, local, secure);
    }

    private void open(IoSession io, String id, InetSocketAddress remote, InetSocketAddress local,
                      boolean securedByProxy) {
        Connection connection = new Connection((AbstractIoSession) io, services, listener, id, remote, local,
                securedByProxy);
        io.setAttribute(CONNECTION, connection);
        admission.opened(connection);
        run(connection, connection::opened);
    }

    @Override
    public void messageReceived(IoSession io, Object message) {
        Connection connection = connection(io);
        if (connection != null) {
            run(connection, () -> connection.received((IoBuffer) message));
        }
    }

    @Override
    public void messageSent(IoSession io, Object message) {
        Connection connection = connection(io);
        if (connection != null) {
            connection.written();
            connection.flush();
        }
    }

    @Override
    public void event(IoSession io, FilterEvent event) {
        Connection connection = connection(io);
        if (connection != null && event == TlsFilter.Secured.INSTANCE) {
            run(connection, connection::secured);
        }
    }

    @Override
    public void sessionIdle(IoSession io, IdleStatus status) {
        Connection connection = connection(io);
        if (connection != null) {
            run(connection, connection::idle);
        }
    }

    @Override
    public void exceptionCaught(IoSession io, Throwable cause) {
        Connection connection = connection(io);
        String who = connection == null ? String.valueOf(io.getRemoteAddress()) : connection.id();
        Object from = connection == null ? io.getRemoteAddress() : connection.remoteAddress();
        if (io.isClosing() || connection != null && connection.closing()
                || cause instanceof WriteToClosedSessionException) {
            // Already on the way out: closing now would only discard what is still queued (a last reply).
            LOG.debug("failure on connection {} while it closes: {}", who, cause.toString());
            return;
        }
        if (cause instanceof TlsFilter.RenegotiationRefused) {
            LOG.info("connection {} from {}: client-initiated TLS renegotiation refused; closing", who, from);
            close(io, connection, EndReason.PROTOCOL_ERROR, true);
        } else if (isTls(cause)) {
            admission.tlsFailed();
            LOG.info("TLS handshake with {} ({}) failed: {}", who, from, rootMessage(cause));
            close(io, connection, EndReason.TLS_FAILED, true);
        } else if (cause instanceof IOException) {
            LOG.debug("connection {} failed: {}", who, cause.toString());
            close(io, connection, EndReason.IO_ERROR, false);
        } else {
            LOG.warn("unexpected failure on connection {}", who, cause);
            close(io, connection, EndReason.IO_ERROR, false);
        }
    }

    @Override
    public void sessionClosed(IoSession io) {
        Connection connection = connection(io);
        if (connection != null) {
            MDC.put(SessionThread.MDC_KEY, connection.id());
            try {
                admission.ended(connection, connection.closed());
            } finally {
                MDC.remove(SessionThread.MDC_KEY);
            }
        }
        admission.disconnected(io);
    }

    private static void close(IoSession io, Connection connection, EndReason reason, boolean flush) {
        if (connection != null) {
            connection.failed(reason, flush);
        } else if (flush) {
            io.closeOnFlush();
        } else {
            io.closeNow();
        }
    }

    /** Runs an event of a connection, then writes the replies it queued. */
    private static void run(Connection connection, Runnable event) {
        MDC.put(SessionThread.MDC_KEY, connection.id());
        try {
            event.run();
            connection.flush();
        } catch (Error e) {
            // A bug (ours, or in a store or hook called here) ends this connection, not the I/O thread: MINA would
            // rethrow it out of the thread's loop, stranding every connection on it and any close of the server.
            LOG.error("unexpected error on connection {}; closing it", connection.id(), e);
            connection.failed(EndReason.IO_ERROR, false);
        } finally {
            MDC.remove(SessionThread.MDC_KEY);
        }
    }

    private static Connection connection(IoSession io) {
        return (Connection) io.getAttribute(CONNECTION);
    }

    private static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
