package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.command.Reply;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a {@link ProtocolSession} needs of its connection: sending replies, starting TLS, closing, and running work
 * off and back on the session's thread.
 *
 * <p><b>Threads.</b> A session has one thread at a time, its "session thread" (the connection's I/O thread in the
 * server; the test's thread in tests). The session calls these methods only on it, and every callback they take runs
 * on it too, never concurrently with another call into the session.
 */
public interface Transport {

    /**
     * Sends a reply. Multi-line replies are streamed in bounded chunks; a message's content is opened and read only
     * now. {@code done} is called once the whole reply has been handed to the network, or when it could not be sent.
     *
     * @param reply the reply
     * @param done told how it went
     */
    void send(Reply reply, Sent done);

    /**
     * Tells the connection which reply the client will likely ask for next: the {@code RETR} of the message after
     * the one just retrieved. The connection may read and encode it now, while the client is busy with the last one,
     * and {@linkplain #send send} those octets if the next content reply is of the same message. A hint: the
     * connection may ignore it, and the session sends every reply as usual. Its source must not block.
     *
     * @param likely the reply, whose content the connection would open now
     */
    default void readAhead(Reply.Content likely) {
    }

    /**
     * Starts TLS after the {@code +OK} to {@code STLS} went out in clear (RFC 2595 section 4): input received before
     * the handshake is discarded, and the session hears of the handshake through {@link ProtocolSession#secured}.
     */
    void startTls();

    /**
     * Closes the connection once everything sent has gone out. The session then hears
     * {@link ProtocolSession#closed}.
     *
     * @param reason why, for the summary
     */
    void close(EndReason reason);

    /**
     * Runs a call to the store or the authenticator: on a worker if it may block, else at once on this thread. The
     * continuation runs on the session thread; if the connection has gone meanwhile, {@code orphan} gets the result
     * instead (on any thread) so that it can release what the result holds.
     *
     * @param mayBlock whether the call may block
     * @param call the call
     * @param then gets the result, or the failure
     * @param orphan gets a successful result that nobody will use any more
     * @param <T> the result type
     */
    <T> void call(boolean mayBlock, Callable<T> call, BiConsumer<T, Exception> then, Consumer<T> orphan);

    /**
     * Runs a task on the session thread after a delay, without holding a thread meanwhile. Not run if the connection
     * has gone.
     *
     * @param delay how long to wait
     * @param task the task
     * @return cancels the task if it has not run yet (and lets go of it); idempotent, callable on the session thread
     */
    Runnable later(Duration delay, Runnable task);

    /**
     * Runs a task on the session thread when a stage completes or the time is up, whichever comes first.
     *
     * @param stage what to wait for
     * @param timeout the longest wait
     * @param task the task, run once
     */
    void when(CompletionStage<?> stage, Duration timeout, Runnable task);

    /**
     * Sets how long the connection may be idle before the session hears {@link ProtocolSession#idle()}.
     *
     * @param timeout the idle limit
     */
    void idleTimeout(Duration timeout);

    /** How sending a reply went. */
    interface Sent {
        /** The whole reply was handed to the network. */
        void sent();

        /**
         * The reply could not be sent.
         *
         * @param cause why (a {@code StoreException} when the content could not be opened)
         * @param started whether part of it went out; if so the connection is closing, since the client cannot
         *     be told
         */
        void failed(Exception cause, boolean started);
    }
}
