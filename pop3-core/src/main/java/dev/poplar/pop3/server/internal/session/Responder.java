package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.SessionSummary.EndReason;
import dev.poplar.pop3.server.internal.Events;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The replies of one session, one at a time: a reply that waits for the store or the authenticator (or for the
 * failed-login penalty), a streamed one. The session is busy from a command until its reply has been handed to the
 * network; then what the command asked for happens (TLS starts, or the connection closes). Session thread only.
 */
final class Responder {

    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    private final Transport transport;
    private final Events events;
    private final Supplier<ClientInfo> client;
    private final Consumer<Reply.Content> retrieved;
    private boolean busy;
    private boolean ended;
    private boolean dispatching;
    private boolean startTls;
    private Reply deferred;
    private String waitingLogged;
    private long waitingStart;
    private EndReason closeAfterReply;

    /**
     * Creates the responder of a session.
     *
     * @param transport the connection
     * @param events the event fan-out
     * @param client the client as the session knows it now
     * @param retrieved told when a whole message has been sent
     */
    Responder(Transport transport, Events events, Supplier<ClientInfo> client, Consumer<Reply.Content> retrieved) {
        this.transport = transport;
        this.events = events;
        this.client = client;
        this.retrieved = retrieved;
    }

    /** @return whether a reply is under way, or the session has ended */
    boolean busy() {
        return busy || ended;
    }

    /** @return whether the session has ended or will after the reply */
    boolean ending() {
        return ended || closeAfterReply != null;
    }

    /** The connection has closed: nothing more is sent. */
    void ended() {
        ended = true;
    }

    /** A command starts running: a reply it completes at once is kept for {@link #answer}. */
    void dispatching() {
        dispatching = true;
    }

    /**
     * Answers the command that just ran.
     *
     * @param reply its reply, or {@link Replies#LATER}
     * @param logged the command as it may be logged, or {@code null} for the greeting
     * @param start when it arrived
     */
    void answer(Reply reply, String logged, long start) {
        dispatching = false;
        if (reply == Replies.LATER) {
            if (deferred == null) {
                busy = true;
                waitingLogged = logged;
                waitingStart = start;
                return;
            }
            reply = deferred;
            deferred = null;
        }
        send(reply, logged, start);
    }

    /**
     * The reply of a command that waited for the store or the authenticator.
     *
     * @param reply the reply
     */
    void complete(Reply reply) {
        if (dispatching) {
            deferred = reply;
        } else {
            send(reply, waitingLogged, waitingStart);
        }
    }

    /** Starts TLS once the next reply is out ({@code STLS}). */
    void startTlsAfterReply() {
        startTls = true;
    }

    /**
     * Closes the connection once the next reply is out, unless another reason was given first.
     *
     * @param reason why
     */
    void closeAfterReply(EndReason reason) {
        if (closeAfterReply == null) {
            closeAfterReply = reason;
        }
    }

    /**
     * Ends the session now: with a last line if no reply is under way, else at once.
     *
     * @param reason why
     * @param last the last line
     */
    void endNow(EndReason reason, Reply last) {
        if (ending()) {
            return;
        }
        closeAfterReply = reason;
        if (busy) {
            ended = true;
            transport.close(reason);
        } else {
            send(last, null, System.nanoTime());
        }
    }

    /**
     * Sends a reply now.
     *
     * @param reply the reply
     * @param logged the command as it may be logged, or {@code null}
     * @param start when the command arrived
     */
    void send(Reply reply, String logged, long start) {
        busy = true;
        transport.send(reply, new Transport.Sent() {
            @Override
            public void sent() {
                if (reply instanceof Reply.Content content && content.bodyLines() < 0) {
                    retrieved.accept(content);
                }
                replied(reply, logged, start);
            }

            @Override
            public void failed(Exception cause, boolean started) {
                if (started) {
                    LOG.warn("could not complete a reply to {}; the connection closes", LogSafe.text(logged), cause);
                    ended = true;
                } else {
                    send(Dispatcher.storeFailure(cause), logged, start);
                }
            }
        });
    }

    private void replied(Reply reply, String logged, long start) {
        if (logged != null) {
            if (events.enabled()) {
                events.emit(new Pop3Event.CommandCompleted(client.get(), logged, reply.statusLine(),
                        Duration.ofNanos(System.nanoTime() - start)));
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} -> {}", LogSafe.text(logged), reply.statusLine());
            }
        }
        if (startTls) {
            startTls = false;
            transport.startTls();
        }
        if (closeAfterReply != null) {
            ended = true;
            transport.close(closeAfterReply);
            return;
        }
        busy = false;
    }
}
