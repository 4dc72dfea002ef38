package dev.poplar.pop3.server;

import dev.poplar.pop3.server.internal.ServerConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * The part of {@link Pop3Server.Builder} that sets threads, sockets and shutdown; the base of its setting groups,
 * each of which validates its own settings. Not API on its own: users see these methods on the builder.
 */
abstract sealed class NetworkSettings permits LimitSettings {

    private Duration shutdownGracePeriod = Duration.ofSeconds(10);
    private int ioThreads = Runtime.getRuntime().availableProcessors() + 1;
    private int workerThreads = 16;
    private boolean tcpKeepAlive = true;
    private int backlog = 256;
    private int receiveBufferOctets;
    private int sendBufferOctets;
    private int readAheadBuffers = 256;

    NetworkSettings() {
    }

    /**
     * How long {@link Pop3Server#close()} lets open sessions finish before closing them. Default 10 seconds.
     *
     * @param grace zero or more
     * @return this builder
     */
    public Pop3Server.Builder shutdownGracePeriod(Duration grace) {
        this.shutdownGracePeriod = Objects.requireNonNull(grace, "shutdownGracePeriod");
        return self();
    }

    /**
     * The number of network I/O threads. Default: processors + 1.
     *
     * @param threads at least 1
     * @return this builder
     */
    public Pop3Server.Builder ioThreads(int threads) {
        this.ioThreads = threads;
        return self();
    }

    /**
     * The most threads calling the store and the authenticator at once. Default 16.
     *
     * @param threads at least 1
     * @return this builder
     */
    public Pop3Server.Builder workerThreads(int threads) {
        this.workerThreads = threads;
        return self();
    }

    /**
     * Whether accepted connections use TCP keepalive ({@code SO_KEEPALIVE}), so that connections to clients that
     * vanished (a laptop closed, a NAT entry dropped) are found dead and closed, and their mailboxes released.
     * When the first probe goes out is the operating system's setting (Linux: {@code net.ipv4.tcp_keepalive_time},
     * 2 hours unless tuned); the idle timeouts end silent sessions sooner. Default {@code true}.
     *
     * @param keepAlive whether to enable keepalive
     * @return this builder
     */
    public Pop3Server.Builder tcpKeepAlive(boolean keepAlive) {
        this.tcpKeepAlive = keepAlive;
        return self();
    }

    /**
     * How many connections the kernel queues on each listener before the server accepts them (the
     * {@code listen()} backlog; Linux caps it at {@code net.core.somaxconn}). Default 256.
     *
     * @param connections 1 to 65535
     * @return this builder
     */
    public Pop3Server.Builder backlog(int connections) {
        this.backlog = connections;
        return self();
    }

    /**
     * The receive buffer of accepted connections ({@code SO_RCVBUF}), also set on the listening socket so that
     * it applies from the handshake. Default 0: the system's default, which Linux tunes per connection; a fixed
     * size turns that tuning off.
     *
     * @param octets 0, or 1024 to 67108864 (64 MiB)
     * @return this builder
     */
    public Pop3Server.Builder receiveBufferSize(int octets) {
        this.receiveBufferOctets = octets;
        return self();
    }

    /**
     * The send buffer of accepted connections ({@code SO_SNDBUF}). Default 0: the system's default, which Linux
     * tunes per connection; a fixed size turns that tuning off.
     *
     * @param octets 0, or 1024 to 67108864 (64 MiB)
     * @return this builder
     */
    public Pop3Server.Builder sendBufferSize(int octets) {
        this.sendBufferOctets = octets;
        return self();
    }

    /**
     * How many messages may wait read ahead at once, server-wide. After a client retrieves message <i>n</i> in full,
     * the server reads and encodes message <i>n</i>+1 while the client is still busy with <i>n</i>, so that a client
     * downloading its mailbox in order gets each next message without waiting for the store. Only where the store
     * reads content without blocking ({@link dev.poplar.pop3.store.MailboxStore#mayBlock}), without a content hook,
     * while the client retrieves in order, and for messages whose reply fits in one 64 KiB buffer; a message that
     * goes out from its file without copying is not read ahead. Each one waiting holds a 64 KiB buffer until the
     * client's next {@code RETR} or {@code TOP}, or the end of its session; when all are taken, messages are simply
     * not read ahead. The store call of a message read ahead is reported
     * ({@link Pop3Event.StoreCallCompleted}) when the client's {@code RETR} is answered with it, and not at all if the
     * client never asks for it or its reading fails (the {@code RETR}, if it comes, reads again and reports that).
     * A message read ahead is sent if the client asks for it within a second, even if another client removed it
     * meanwhile (as a message removed while it is being sent is still sent in full); after that it is read again.
     * Default 256 (16 MiB at most); 0 turns reading ahead off.
     *
     * @param buffers 0 to 65536
     * @return this builder
     */
    public Pop3Server.Builder readAheadBuffers(int buffers) {
        this.readAheadBuffers = buffers;
        return self();
    }

    /** @return this, as the builder it is (the only class that extends the setting groups) */
    final Pop3Server.Builder self() {
        return (Pop3Server.Builder) this;
    }

    final Duration shutdownGracePeriod() {
        require(!shutdownGracePeriod.isNegative(), "shutdownGracePeriod must not be negative");
        return shutdownGracePeriod;
    }

    final int ioThreads() {
        require(ioThreads >= 1, "ioThreads must be at least 1: " + ioThreads);
        return ioThreads;
    }

    final int workerThreads() {
        require(workerThreads >= 1, "workerThreads must be at least 1: " + workerThreads);
        return workerThreads;
    }

    final int readAheadBuffers() {
        require(readAheadBuffers >= 0 && readAheadBuffers <= 65536,
                "readAheadBuffers must be 0 (off) to 65536: " + readAheadBuffers);
        return readAheadBuffers;
    }

    final ServerConfig.Sockets sockets() {
        require(backlog >= 1 && backlog <= 65535, "backlog must be 1 to 65535: " + backlog);
        require(bufferSize(receiveBufferOctets),
                "receiveBufferSize must be 0 (system default) or 1024 to 67108864 octets: " + receiveBufferOctets);
        require(bufferSize(sendBufferOctets),
                "sendBufferSize must be 0 (system default) or 1024 to 67108864 octets: " + sendBufferOctets);
        return new ServerConfig.Sockets(tcpKeepAlive, backlog, receiveBufferOctets, sendBufferOctets);
    }

    private static boolean bufferSize(int octets) {
        return octets == 0 || (octets >= 1024 && octets <= 64 * 1024 * 1024);
    }

    /** Fails {@code build()} with the message when the condition does not hold. */
    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
