package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Metrics;
import dev.poplar.pop3.server.SessionSummary;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.sasl.PlainMechanism;
import dev.poplar.pop3.server.internal.sasl.SaslMechanism;
import dev.poplar.pop3.server.internal.session.Pop3Session;
import dev.poplar.pop3.server.internal.session.ServerTlsFilter;
import dev.poplar.pop3.server.internal.session.SessionHandler;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running machinery of one {@code Pop3Server}: acceptors on a shared pool of I/O threads, the worker pool for SPI
 * calls, a timer, connection accounting and the graceful shutdown. Everything here belongs to one server instance.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final AttributeKey COUNTED = new AttributeKey(Engine.class, "counted");
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private enum Phase { NEW, RUNNING, CLOSING, CLOSED }

    private final ServerConfig config;
    private final Events events;
    private final Metrics metrics = new Metrics();
    private final Dispatcher dispatcher = new Dispatcher();
    private final List<SaslMechanism> mechanisms = List.of(new PlainMechanism());
    private final LoginThrottle throttle;
    private final BufferPool buffers = new BufferPool(64 * 1024, 256);
    private final String idPrefix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    private final AtomicLong sessionCounter = new AtomicLong();
    private final Set<Pop3Session> sessions = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Object lock = new Object();
    private Phase phase = Phase.NEW;
    private volatile ServerTlsFilter tlsFilter;
    private ThreadPoolExecutor worker;
    private ScheduledThreadPoolExecutor scheduler;
    private SimpleIoProcessorPool<NioSession> processor;
    private final List<NioSocketAcceptor> acceptors = new ArrayList<>();
    private volatile List<InetSocketAddress> bound;

    /**
     * Creates the engine of a server.
     *
     * @param config the validated configuration
     */
    public Engine(ServerConfig config) {
        this.config = config;
        this.events = new Events(config.eventListeners());
        this.throttle = new LoginThrottle(config.authFailureDelay(), config.maxAuthFailureDelay(),
                config.authFailureWindow());
    }

    /**
     * Binds the listeners.
     *
     * @throws IOException if one cannot be bound; nothing stays bound
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (phase != Phase.NEW) {
                throw new IllegalStateException("a Pop3Server can be started only once");
            }
            phase = Phase.RUNNING;
            worker = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), threads("worker"));
            worker.allowCoreThreadTimeOut(true);
            scheduler = new ScheduledThreadPoolExecutor(1, threads("timer"));
            scheduler.setRemoveOnCancelPolicy(true);
            processor = new SimpleIoProcessorPool<>(NioProcessor.class, config.ioThreads());
            tlsFilter = config.tls().map(s -> new ServerTlsFilter(s, config.clientAuth(), worker)).orElse(null);
            List<InetSocketAddress> addresses = new ArrayList<>();
            try {
                for (Listener listener : config.listeners()) {
                    NioSocketAcceptor acceptor = new NioSocketAcceptor((Executor) null, processor);
                    acceptors.add(acceptor);
                    acceptor.setReuseAddress(true);
                    acceptor.setCloseOnDeactivation(false);
                    acceptor.getSessionConfig().setTcpNoDelay(true);
                    if (listener.implicitTls()) {
                        acceptor.getFilterChain().addLast("tls", tlsFilter);
                    }
                    acceptor.setHandler(new SessionHandler(this, listener));
                    try {
                        acceptor.bind(listener.address());
                    } catch (IOException e) {
                        throw new IOException("cannot listen on " + listener.address() + ": " + e.getMessage(), e);
                    }
                    addresses.add((InetSocketAddress) acceptor.getLocalAddress());
                }
            } catch (IOException | RuntimeException e) {
                phase = Phase.CLOSING;
                shutdownResources();
                phase = Phase.CLOSED;
                throw e;
            }
            bound = List.copyOf(addresses);
            LOG.info("POP3 server listening on {}", bound);
        }
    }

    /** Stops accepting, lets sessions finish for the grace period, closes the rest and releases everything. */
    public void close() {
        synchronized (lock) {
            if (phase != Phase.RUNNING) {
                phase = Phase.CLOSED;
                return;
            }
            phase = Phase.CLOSING;
        }
        for (NioSocketAcceptor acceptor : acceptors) {
            acceptor.unbind();
        }
        if (!awaitSessions(config.shutdownGracePeriod())) {
            LOG.info("closing {} sessions still open after the grace period", sessions.size());
            sessions.forEach(Pop3Session::stop);
        }
        for (NioSocketAcceptor acceptor : acceptors) {
            acceptor.getManagedSessions().values().forEach(IoSession::closeNow);
        }
        if (!awaitSessions(STOP_WAIT)) {
            LOG.warn("{} sessions did not finish closing", sessions.size());
        }
        synchronized (lock) {
            shutdownResources();
            phase = Phase.CLOSED;
        }
        LOG.info("POP3 server on {} stopped", bound);
    }

    private boolean awaitSessions(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!sessions.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void shutdownResources() {
        for (NioSocketAcceptor acceptor : acceptors) {
            acceptor.dispose(true);
        }
        if (processor != null) {
            processor.dispose();
        }
        if (worker != null) {
            worker.shutdown();
            try {
                if (!worker.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    worker.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                worker.shutdownNow();
            }
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Admits a new connection, or refuses it with one line when a connection limit is reached.
     *
     * @param io the connection
     * @param listener the listener it came in on
     * @return its session, or {@code null} if refused
     */
    public Pop3Session accept(IoSession io, Listener listener) {
        InetAddress address = ((InetSocketAddress) io.getRemoteAddress()).getAddress();
        int total = connections.incrementAndGet();
        int fromAddress = perAddress.compute(address, (a, c) -> {
            AtomicInteger count = c == null ? new AtomicInteger() : c;
            count.incrementAndGet();
            return count;
        }).get();
        io.setAttribute(COUNTED, address);
        String id = idPrefix + "-" + sessionCounter.incrementAndGet();
        if (phase != Phase.RUNNING || total > config.maxConnections()
                || fromAddress > config.maxConnectionsPerAddress()) {
            metrics.connectionsRefused.increment();
            LOG.info("refused connection {} from {}: {} connections open, {} from this address", id, address,
                    total - 1, fromAddress - 1);
            if (!listener.implicitTls()) {
                io.write(IoBuffer.wrap((Replies.TOO_MANY_CONNECTIONS.statusLine() + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));
            }
            io.closeOnFlush();
            if (events.enabled()) {
                ClientInfo client = new ClientInfo(id, listener.toString(), (InetSocketAddress) io.getRemoteAddress(),
                        (InetSocketAddress) io.getLocalAddress(), false, List.of());
                events.emit(new Pop3Event.ConnectionClosed(client, new SessionSummary(id, java.util.Optional.empty(),
                        SessionSummary.EndReason.CONNECTION_LIMIT, false, 0, 0, 0, 0, Duration.ZERO)));
            }
            return null;
        }
        metrics.connectionsAccepted.increment();
        Pop3Session session = new Pop3Session(this, io, listener, id);
        sessions.add(session);
        return session;
    }

    /**
     * A session has ended and released its maildrop.
     *
     * @param session the session
     */
    public void sessionEnded(Pop3Session session) {
        sessions.remove(session);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Releases the connection counts of a closed connection.
     *
     * @param io the connection
     */
    public void connectionClosed(IoSession io) {
        InetAddress address = (InetAddress) io.removeAttribute(COUNTED);
        if (address != null) {
            connections.decrementAndGet();
            perAddress.computeIfPresent(address, (a, c) -> c.decrementAndGet() == 0 ? null : c);
        }
    }

    /** Counts a failed TLS handshake. */
    public void tlsHandshakeFailed() {
        metrics.tlsHandshakesFailed.increment();
    }

    /** @return the configuration */
    public ServerConfig config() {
        return config;
    }

    /** @return the event fan-out */
    public Events events() {
        return events;
    }

    /** @return the counters */
    public Metrics metrics() {
        return metrics;
    }

    /** @return a snapshot of the counters */
    public Pop3Metrics metricsSnapshot() {
        return metrics.snapshot(sessions.size());
    }

    /** @return the command dispatcher */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** @return the SASL mechanisms the server implements */
    public List<SaslMechanism> mechanisms() {
        return mechanisms;
    }

    /** @return the pool of chunk buffers for streamed replies */
    public BufferPool buffers() {
        return buffers;
    }

    /** @return the failed-login throttle */
    public LoginThrottle throttle() {
        return throttle;
    }

    /** @return the worker pool for SPI calls */
    public Executor worker() {
        return worker;
    }

    /** @return the timer */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** @return the TLS filter; only when TLS is configured */
    public ServerTlsFilter tlsFilter() {
        return tlsFilter;
    }

    /** @return the number of open sessions */
    public int openSessions() {
        return sessions.size();
    }

    /**
     * The bound addresses.
     *
     * @return the addresses in listener order
     * @throws IllegalStateException if not started
     */
    public List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> addresses = bound;
        if (addresses == null) {
            throw new IllegalStateException("the server is not started");
        }
        return addresses;
    }

    private ThreadFactory threads(String role) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "poplar-" + idPrefix + "-" + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
