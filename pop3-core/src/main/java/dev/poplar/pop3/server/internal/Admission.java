package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.server.internal.net.Connection;
import dev.poplar.pop3.server.internal.net.ConnectionHandler;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's connection accounting: admits a connection or refuses it with one line when a limit is reached or the
 * access rules deny its address, counts connections in total and per client address, and knows the open ones (for
 * the graceful stop). Thread-safe.
 */
final class Admission implements ConnectionHandler.Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final AttributeKey COUNTED = new AttributeKey(Admission.class, "counted");

    private final ServerConfig config;
    private final Events events;
    private final Metrics metrics;
    private final AccessControl access;
    private final String idPrefix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    private final AtomicLong sessionCounter = new AtomicLong();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Object changed = new Object();
    private volatile boolean accepting = true;

    Admission(ServerConfig config, Events events, Metrics metrics, AccessControl access) {
        this.config = config;
        this.events = events;
        this.metrics = metrics;
        this.access = access;
    }

    /** @return the prefix of this server's session ids and thread names */
    String idPrefix() {
        return idPrefix;
    }

    @Override
    public String admit(IoSession io, Listener listener) {
        InetAddress address = ((InetSocketAddress) io.getRemoteAddress()).getAddress();
        int total = connections.incrementAndGet();
        int fromAddress = perAddress.compute(address, (a, c) -> {
            AtomicInteger count = c == null ? new AtomicInteger() : c;
            count.incrementAndGet();
            return count;
        }).get();
        io.setAttribute(COUNTED, address);
        String id = idPrefix + "-" + sessionCounter.incrementAndGet();
        ServerConfig.Limits limits = config.limits();
        if (!access.allows(listener.name(), address)) {
            LOG.info("refused connection {} from {} on {}: the access rules deny it", id, address, listener.name());
            refuse(io, listener, id, Replies.ACCESS_DENIED, SessionSummary.EndReason.ACCESS_DENIED);
            return null;
        }
        if (!accepting || total > limits.maxConnections() || fromAddress > limits.maxConnectionsPerAddress()) {
            LOG.info("refused connection {} from {}: {} connections open, {} from this address", id, address,
                    total - 1, fromAddress - 1);
            refuse(io, listener, id, Replies.TOO_MANY_CONNECTIONS, SessionSummary.EndReason.CONNECTION_LIMIT);
            return null;
        }
        metrics.connectionsAccepted.increment();
        return id;
    }

    /** Answers a refused connection with one line (none before an implicit-TLS handshake) and closes it. */
    private void refuse(IoSession io, Listener listener, String id, Reply reply, SessionSummary.EndReason reason) {
        metrics.connectionsRefused.increment();
        if (!listener.implicitTls()) {
            io.write(IoBuffer.wrap((reply.statusLine() + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
        io.closeOnFlush();
        if (events.enabled()) {
            ClientInfo client = new ClientInfo(id, listener.name(), (InetSocketAddress) io.getRemoteAddress(),
                    (InetSocketAddress) io.getLocalAddress(), false, List.of());
            events.emit(new Pop3Event.ConnectionClosed(client, new SessionSummary(id, Optional.empty(), reason,
                    false, 0, 0, 0, 0, Duration.ZERO)));
        }
    }

    @Override
    public void opened(Connection connection) {
        open.add(connection);
    }

    @Override
    public void ended(Connection connection, SessionSummary summary) {
        open.remove(connection);
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    @Override
    public void disconnected(IoSession io) {
        InetAddress address = (InetAddress) io.removeAttribute(COUNTED);
        if (address != null) {
            connections.decrementAndGet();
            perAddress.computeIfPresent(address, (a, c) -> c.decrementAndGet() == 0 ? null : c);
        }
    }

    @Override
    public void tlsFailed() {
        metrics.tlsHandshakesFailed.increment();
    }

    /** Refuses every further connection (the server is stopping). */
    void stopAccepting() {
        accepting = false;
    }

    /** @return the number of open sessions */
    int openSessions() {
        return open.size();
    }

    /** Closes every open connection without UPDATE. */
    void stopAll() {
        open.forEach(Connection::stop);
    }

    /**
     * Waits until every admitted connection has ended.
     *
     * @param timeout the longest wait
     * @return whether they all ended in time
     */
    boolean awaitEnded(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (!open.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    changed.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
