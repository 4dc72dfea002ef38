package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Event.ConnectionRefused.Reason;
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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's connection accounting: admits a connection or refuses it with one line when a limit is reached or the
 * access rules deny its address, counts connections in total and per client address, and knows the open ones (for
 * the graceful stop). Thread-safe.
 *
 * <p>A connection from a trusted PROXY protocol balancer counts in the total at accept and under its client's
 * address once the header has named the client ({@link #proxied}): the balancer's own address is never limited, since
 * all its clients share it.
 */
final class Admission implements ConnectionHandler.Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final AttributeKey IN_TOTAL = new AttributeKey(Admission.class, "inTotal");
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
        io.setAttribute(IN_TOTAL, Boolean.TRUE);
        String id = idPrefix + "-" + sessionCounter.incrementAndGet();
        ServerConfig.Limits limits = config.limits();
        // PROXY protocol: a balancer's connection counts under its client's address once the header names it.
        boolean awaitsHeader = listener.proxyProtocol().map(p -> p.trusts(address)).orElse(false);
        int fromAddress = awaitsHeader ? 0 : countUnder(io, address);
        if (!awaitsHeader && !access.allows(listener.name(), address)) {
            LOG.info("refused connection {} from {} on {}: the access rules deny it", id, address, listener.name());
            refuse(io, listener, id, (InetSocketAddress) io.getRemoteAddress(), Reason.ACCESS_DENIED, true);
            return null;
        }
        Reason refusal = !accepting ? Reason.SERVER_STOPPING
                : total > limits.maxConnections() ? Reason.TOO_MANY_CONNECTIONS
                : fromAddress > limits.maxConnectionsPerAddress() ? Reason.TOO_MANY_FROM_ADDRESS : null;
        if (refusal != null) {
            LOG.info("refused connection {} from {}: {} connections open, {} from this address", id, address,
                    total - 1, Math.max(0, fromAddress - 1));
            refuse(io, listener, id, (InetSocketAddress) io.getRemoteAddress(), refusal, true);
            return null;
        }
        if (!awaitsHeader) {
            metrics.connectionsAccepted.increment();
        }
        return id;
    }

    @Override
    public boolean proxied(IoSession io, Listener listener, String id, InetSocketAddress client) {
        int fromAddress = countUnder(io, client.getAddress());
        if (!access.allows(listener.name(), client.getAddress())) {
            LOG.info("refused connection {} from {} (via {}) on {}: the access rules deny it", id,
                    client.getAddress(), io.getRemoteAddress(), listener.name());
            refuse(io, listener, id, client, Reason.ACCESS_DENIED, true);
            return false;
        }
        Reason refusal = !accepting ? Reason.SERVER_STOPPING
                : fromAddress > config.limits().maxConnectionsPerAddress() ? Reason.TOO_MANY_FROM_ADDRESS : null;
        if (refusal != null) {
            LOG.info("refused connection {} from {} (via {}): {} from this address", id, client.getAddress(),
                    io.getRemoteAddress(), fromAddress - 1);
            refuse(io, listener, id, client, refusal, true);
            return false;
        }
        metrics.connectionsAccepted.increment();
        return true;
    }

    @Override
    public void headerRefused(IoSession io, Listener listener, String id, String problem) {
        LOG.info("closing connection {} from {}: no valid PROXY protocol header: {}", id, io.getRemoteAddress(),
                problem);
        refuse(io, listener, id, (InetSocketAddress) io.getRemoteAddress(), Reason.PROXY_HEADER, false);
    }

    /** Counts a connection under a client address; returns the count with it. */
    private int countUnder(IoSession io, InetAddress address) {
        io.setAttribute(COUNTED, address);
        return perAddress.compute(address, (a, c) -> {
            AtomicInteger count = c == null ? new AtomicInteger() : c;
            count.incrementAndGet();
            return count;
        }).get();
    }

    /** Closes a connection before its session, with one line if it may be read, and reports why. */
    private void refuse(IoSession io, Listener listener, String id, InetSocketAddress client, Reason refusal,
                        boolean tell) {
        metrics.connectionsRefused.increment();
        if (tell && !listener.implicitTls()) {
            Reply reply = refusal == Reason.ACCESS_DENIED ? Replies.ACCESS_DENIED : Replies.TOO_MANY_CONNECTIONS;
            io.write(IoBuffer.wrap(reply.statusLineOctets()));
        }
        if (tell) {
            io.closeOnFlush();
        } else {
            io.closeNow();
        }
        if (events.enabled()) {
            events.emit(new Pop3Event.ConnectionRefused(new ClientInfo(id, listener.name(), client,
                    (InetSocketAddress) io.getLocalAddress(), false, List.of()), refusal));
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
        if (io.removeAttribute(IN_TOTAL) != null) {
            connections.decrementAndGet();
        }
        InetAddress address = (InetAddress) io.removeAttribute(COUNTED);
        if (address != null) {
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
