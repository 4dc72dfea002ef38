package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.ClientAuth;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.ssl.EncryptedWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * MINA's TLS filter, taking a fresh {@link SSLContext} from the supplier for every connection, so that a renewed
 * certificate applies to new connections. Protocols and cipher suites come from the context's defaults. One instance
 * serves every session of a server (its per-session state lives in session attributes).
 *
 * <p>It also serializes, per session, everything that forwards encrypted records: MINA 2.2.4's handler encrypts under
 * a lock but hands the records on from an unlocked queue, so a worker thread writing while the I/O thread flushes after
 * an acknowledgement can put records on the wire out of order, which the client rejects (bad record MAC). The same
 * holds for the handshake's delegated tasks, which MINA runs on a static executor of its own: here they run on the
 * server's worker pool under the session's lock.
 */
public final class ServerTlsFilter extends SslFilter {

    private static final AttributeKey LOCK = new AttributeKey(ServerTlsFilter.class, "lock");

    private static final Logger LOG = LoggerFactory.getLogger(ServerTlsFilter.class);
    /** MINA's handler, package-private: built here so that its delegated tasks run under the session's lock. */
    private static final Constructor<?> HANDLER = handlerConstructor();

    private final Supplier<SSLContext> contexts;
    private final ClientAuth clientAuth;
    private final Executor tasks;

    /**
     * Creates the filter.
     *
     * @param contexts supplies the current server context
     * @param clientAuth whether to ask clients for certificates
     * @param tasks runs the handshake's delegated tasks (the server's worker pool)
     */
    public ServerTlsFilter(Supplier<SSLContext> contexts, ClientAuth clientAuth, Executor tasks) {
        // MINA wants a context up front but only uses it in createEngine, which takes the current one from the
        // supplier instead; the supplier is not asked before the first TLS connection.
        super(new SSLContext(null, null, "unused") {
        });
        this.contexts = contexts;
        this.clientAuth = clientAuth;
        this.tasks = tasks;
    }

    private static Constructor<?> handlerConstructor() {
        try {
            Constructor<?> constructor = Class.forName("org.apache.mina.filter.ssl.SSLHandlerG1")
                    .getDeclaredConstructor(SSLEngine.class, Executor.class, IoSession.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("TLS handshake tasks will run on MINA's own executor: {}", e.toString());
            return null;
        }
    }

    @Override
    protected void onConnected(NextFilter next, IoSession session) throws SSLException {
        if (HANDLER != null && session.getAttribute(SSL_HANDLER) == null) {
            SSLEngine engine = createEngine(session, (InetSocketAddress) session.getRemoteAddress());
            Object lock = lock(session);
            Executor serialized = task -> tasks.execute(() -> {
                synchronized (lock) {
                    task.run();
                }
            });
            try {
                session.setAttribute(SSL_HANDLER, HANDLER.newInstance(engine, serialized, session));
            } catch (ReflectiveOperationException e) {
                throw new SSLException("cannot set up TLS for the connection", e);
            }
        }
        super.onConnected(next, session);
    }

    private static Object lock(IoSession session) {
        Object lock = session.getAttribute(LOCK);
        if (lock == null) {
            Object fresh = new Object();
            lock = session.setAttributeIfAbsent(LOCK, fresh);
            if (lock == null) {
                lock = fresh;
            }
        }
        return lock;
    }

    @Override
    public void filterWrite(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        synchronized (lock(session)) {
            super.filterWrite(next, session, request);
        }
    }

    @Override
    public void messageSent(NextFilter next, IoSession session, WriteRequest request) throws Exception {
        synchronized (lock(session)) {
            if (session.getAttribute(SSL_HANDLER) == null) {
                // The TLS session was just ended (close_notify sent): report the write as MINA's handler would.
                if (request instanceof EncryptedWriteRequest encrypted && encrypted.getOriginalRequest() != request) {
                    next.messageSent(session, encrypted.getOriginalRequest());
                }
                return;
            }
            super.messageSent(next, session, request);
        }
    }

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        synchronized (lock(session)) {
            super.messageReceived(next, session, message);
        }
    }

    @Override
    public void onPreRemove(IoFilterChain parent, String name, NextFilter next) throws Exception {
        synchronized (lock(parent.getSession())) {
            super.onPreRemove(parent, name, next);
        }
    }

    @Override
    protected SSLEngine createEngine(IoSession session, InetSocketAddress addr) {
        SSLEngine engine = contexts.get().createSSLEngine();
        engine.setUseClientMode(false);
        if (clientAuth == ClientAuth.NEED) {
            engine.setNeedClientAuth(true);
        } else if (clientAuth == ClientAuth.WANT) {
            engine.setWantClientAuth(true);
        }
        return engine;
    }
}
