package dev.poplar.pop3.server.internal;

import dev.poplar.pop3.server.Pop3Metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link Pop3Metrics}. Thread-safe. */
public final class Metrics {
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder connectionsRefused = new LongAdder();
    final LongAdder loginsSucceeded = new LongAdder();
    final LongAdder loginsFailed = new LongAdder();
    final LongAdder messagesRetrieved = new LongAdder();
    final LongAdder octetsRetrieved = new LongAdder();
    final LongAdder messagesDeleted = new LongAdder();
    final LongAdder tlsHandshakesFailed = new LongAdder();
    final AtomicLong peakQueuedWriteOctets = new AtomicLong();

    /** Counts a successful login. */
    public void loginSucceeded() {
        loginsSucceeded.increment();
    }

    /** Counts a failed login. */
    public void loginFailed() {
        loginsFailed.increment();
    }

    /**
     * Counts a message sent in full.
     *
     * @param octets its size
     */
    public void retrieved(long octets) {
        messagesRetrieved.increment();
        octetsRetrieved.add(octets);
    }

    /**
     * Counts removed messages.
     *
     * @param count how many
     */
    public void deleted(int count) {
        messagesDeleted.add(count);
    }

    /**
     * Notes how many octets one connection has queued for writing.
     *
     * @param octets the connection's queued octets now
     */
    public void queued(long octets) {
        peakQueuedWriteOctets.accumulateAndGet(octets, Math::max);
    }

    /**
     * A snapshot.
     *
     * @param openSessions connections open now
     * @return the counters now
     */
    Pop3Metrics snapshot(int openSessions) {
        return new Pop3Metrics(openSessions, connectionsAccepted.sum(), connectionsRefused.sum(),
                loginsSucceeded.sum(), loginsFailed.sum(), messagesRetrieved.sum(), octetsRetrieved.sum(),
                messagesDeleted.sum(), tlsHandshakesFailed.sum(), peakQueuedWriteOctets.get());
    }
}
