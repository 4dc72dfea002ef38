package dev.poplar.pop3.server.internal.net;

import dev.poplar.pop3.server.internal.BufferPool;
import dev.poplar.pop3.server.internal.Metrics;
import dev.poplar.pop3.server.internal.hook.SessionHook;
import dev.poplar.pop3.server.internal.session.SessionServices;

import javax.net.ssl.SSLEngine;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * What every connection of a server shares. Thread-safe.
 *
 * @param sessions what the protocol sessions share
 * @param worker runs calls that may block
 * @param timer runs delayed tasks (which hand their work back to the I/O thread)
 * @param buffers chunk buffers for streamed replies
 * @param tls makes a server-mode engine for a new TLS connection; {@code null} without TLS
 * @param hook the session hook of a test server, if any
 * @param metrics the counters
 * @param bandwidth the output limits per connection and per user
 * @param readAheads permits for messages read ahead, one per message waiting; {@code null} when reading ahead is off
 */
public record ConnectionServices(SessionServices sessions, Executor worker, ScheduledExecutorService timer,
                          BufferPool buffers, Supplier<SSLEngine> tls, Optional<SessionHook> hook, Metrics metrics,
                          Bandwidth bandwidth, Semaphore readAheads) {
}
