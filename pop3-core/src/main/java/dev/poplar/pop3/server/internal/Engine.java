package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.server.ClientAuth;
import dev.poplar.pop3.server.Listener;
import dev.poplar.pop3.server.Pop3Metrics;
import dev.poplar.pop3.server.internal.net.Bandwidth;
import dev.poplar.pop3.server.internal.net.ConnectionHandler;
import dev.poplar.pop3.server.internal.net.ConnectionServices;
import dev.poplar.pop3.server.internal.net.IoThreadProcessor;
import dev.poplar.pop3.server.internal.session.Expiry;
import dev.poplar.pop3.server.internal.session.SessionServices;
import dev.poplar.pop3.store.StoreException;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The running machinery of one {@code Pop3Server}: acceptors on a pool of I/O threads, the worker pool for calls that
 * may block, a timer, and the graceful stop. Everything here belongs to one server instance.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * The first read buffer of a plain connection: a POP3 command line (at most 255 octets with its CRLF, RFC 2449
     * section 4) fits, where MINA's default of 2,048 octets (allocated for every read, halved after each small one)
     * made a short session allocate about 4 KiB of read buffers; a client that sends more gets buffers that double.
     * Implicit TLS keeps the default, which holds a whole ClientHello.
     */
    private static final int PLAIN_READ_BUFFER = 256;

    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private enum Phase { NEW, RUNNING, CLOSING, CLOSED }

    private final ServerConfig config;
    private final Events events;
    private final Metrics metrics = new Metrics();
    private final Admission admission;
    private final AccessControl access;
    private final Object lock = new Object();
    private Phase phase = Phase.NEW;
    private ThreadPoolExecutor worker;
    private ScheduledThreadPoolExecutor timer;
    private SimpleIoProcessorPool<NioSession> processor;
    private final List<NioSocketAcceptor> acceptors = new ArrayList<>();
    private volatile List<InetSocketAddress> bound;
    private volatile SessionServices sessions;

    /**
     * Creates the engine of a server.
     *
     * @param config the validated configuration
     */
    public Engine(ServerConfig config) {
        this.config = config;
        this.events = new Events(config.observers());
        this.access = new AccessControl(config.accessRules(), config.listeners());
        this.admission = new Admission(config, events, metrics, access);
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
            timer = new ScheduledThreadPoolExecutor(1, threads("timer"));
            timer.setRemoveOnCancelPolicy(true);
            // A deadline that becomes the head of the timer's queue wakes the timer thread to wait for it instead; with
            // this tick at the head, a session's deadlines (a minute away by default) go in without waking anyone.
            timer.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.SECONDS);
            processor = new SimpleIoProcessorPool<>(IoThreadProcessor.class, config.ioThreads());
            ConnectionServices services = connectionServices();
            List<InetSocketAddress> addresses = new ArrayList<>();
            try {
                for (Listener listener : config.listeners()) {
                    NioSocketAcceptor acceptor = new NioSocketAcceptor((Executor) null, processor);
                    acceptors.add(acceptor);
                    acceptor.setReuseAddress(true);
                    acceptor.setCloseOnDeactivation(false);
                    acceptor.getSessionConfig().setTcpNoDelay(true);
                    if (!listener.implicitTls()) {
                        acceptor.getSessionConfig().setReadBufferSize(PLAIN_READ_BUFFER);
                    }
                    applySocketOptions(acceptor);
                    acceptor.setHandler(new ConnectionHandler(services, listener, admission));
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

    private void applySocketOptions(NioSocketAcceptor acceptor) {
        ServerConfig.Sockets sockets = config.sockets();
        acceptor.setBacklog(sockets.backlog());
        acceptor.getSessionConfig().setKeepAlive(sockets.keepAlive());
        if (sockets.receiveBufferOctets() > 0) {
            acceptor.getSessionConfig().setReceiveBufferSize(sockets.receiveBufferOctets());
        }
        if (sockets.sendBufferOctets() > 0) {
            acceptor.getSessionConfig().setSendBufferSize(sockets.sendBufferOctets());
        }
    }

    private ConnectionServices connectionServices() {
        SessionServices sessions = SessionServices.create(config, events, metrics, access, worker);
        this.sessions = sessions;
        return new ConnectionServices(sessions, worker, timer, new BufferPool(64 * 1024, 256),
                config.tls().map(this::engines).orElse(null), config.hook(), metrics,
                new Bandwidth(config.policies().sessionBandwidth(), config.policies().userBandwidth()),
                config.readAheadBuffers() == 0 ? null : new Semaphore(config.readAheadBuffers()));
    }

    /** TLS engines for new connections; the context supplier is asked only at the first TLS connection. */
    private Supplier<SSLEngine> engines(Supplier<javax.net.ssl.SSLContext> contexts) {
        return () -> {
            SSLEngine engine = contexts.get().createSSLEngine();
            engine.setUseClientMode(false);
            if (config.clientAuth() == ClientAuth.NEED) {
                engine.setNeedClientAuth(true);
            } else if (config.clientAuth() == ClientAuth.WANT) {
                engine.setWantClientAuth(true);
            }
            return engine;
        };
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
        admission.stopAccepting();
        for (NioSocketAcceptor acceptor : acceptors) {
            acceptor.unbind();
        }
        if (!admission.awaitEnded(config.limits().shutdownGracePeriod())) {
            LOG.info("closing {} sessions still open after the grace period", admission.openSessions());
            admission.stopAll();
        }
        for (NioSocketAcceptor acceptor : acceptors) {
            acceptor.getManagedSessions().values().forEach(io -> io.closeNow());
        }
        if (!admission.awaitEnded(STOP_WAIT)) {
            LOG.warn("{} sessions did not finish closing", admission.openSessions());
        }
        synchronized (lock) {
            shutdownResources();
            phase = Phase.CLOSED;
        }
        LOG.info("POP3 server on {} stopped", bound);
    }

    private void shutdownResources() {
        for (NioSocketAcceptor acceptor : acceptors) {
            // unbind() returns once the port is closed; dispose alone may close it a moment later.
            acceptor.unbind();
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
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * Applies the retention policy to one mailbox now, holding it like a session.
     *
     * @param mailbox the mailbox
     * @return how many messages were removed
     * @throws StoreException from opening the mailbox ({@code IN_USE} if a session holds it)
     */
    public int expire(String mailbox) throws StoreException {
        SessionServices running = sessions;
        return Expiry.sweep(config, running == null ? null : running.holds(), mailbox);
    }

    /** @return a snapshot of the counters */
    public Pop3Metrics metricsSnapshot() {
        return metrics.snapshot(admission.openSessions());
    }

    /**
     * The socket options of the open connections, read back from their sockets. For tests of the socket settings.
     *
     * @return one configuration per open connection
     */
    List<SocketSessionConfig> connectionSockets() {
        List<SocketSessionConfig> sockets = new ArrayList<>();
        for (NioSocketAcceptor acceptor : acceptors) {
            acceptor.getManagedSessions().values().forEach(io -> sockets.add((SocketSessionConfig) io.getConfig()));
        }
        return sockets;
    }

    /** @return the access rules in force, replaceable while the server runs */
    public AccessControl accessControl() {
        return access;
    }

    /** @return the number of open sessions */
    public int openSessions() {
        return admission.openSessions();
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
            Thread thread = new Thread(runnable, "poplar-" + admission.idPrefix() + "-" + role + "-"
                    + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
