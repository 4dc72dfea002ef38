package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.AuthResult;
import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.Credentials;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Pop3Event.LoginFailed.Cause;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.command.Dispatcher;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One login attempt: asks the authenticator, then opens the maildrop, each on a worker when it may block, and hands
 * the outcome back to the session. A mailbox still held by one of this server's own sessions that is ending (a client
 * that dropped its connection and logged in again at once) is waited for, briefly, before the login fails with
 * {@code [IN-USE]}.
 */
final class Login {

    private static final Logger LOG = LoggerFactory.getLogger(Login.class);
    /**
     * How long a login waits for another session of this server to release the mailbox. Its connection may already be
     * closed, with the close not yet processed (it may even wait behind this login on the same I/O thread), or its
     * store may still be releasing the mailbox; a session that is alive keeps it, and the client gets
     * {@code [IN-USE]} once the time is up.
     */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(2);

    private final ProtocolSession session;
    private final SessionServices services;
    private final Transport transport;
    private final Credentials credentials;
    private final String mechanism;
    private final byte[] errorResponse;

    Login(ProtocolSession session, SessionServices services, Transport transport, Credentials credentials,
          String mechanism, byte[] errorResponse) {
        this.session = session;
        this.services = services;
        this.transport = transport;
        this.credentials = credentials;
        this.mechanism = mechanism;
        this.errorResponse = errorResponse;
    }

    /** Starts the attempt; the session gets the reply through {@link ProtocolSession#complete}. */
    void start() {
        Authenticator authenticator = services.config().authenticator();
        MailboxStore store = services.config().store();
        if (authenticator.mayBlock() && openMayBlock(store)) {
            // Both calls may block: one trip to a worker for both, so that a login costs one thread hand-off.
            ClientInfo client = session.client();
            StoreCall timing = new StoreCall(MailboxStore.Operation.OPEN);
            transport.call(true, () -> authenticateAndOpen(authenticator, store, client, timing),
                    (both, failure) -> {
                        if (failure != null || both == null || !(both.result() instanceof AuthResult.Accepted a)) {
                            authenticated(both == null ? null : both.result(), failure);
                            return;
                        }
                        timing.report(services.events(), session.client());
                        opened(a.mailbox(), both.view(), both.openFailure(),
                                System.nanoTime() + RELEASE_WAIT.toNanos(), false);
                    },
                    both -> {
                        if (both.view() != null) {
                            close(both.view().maildrop());
                        }
                    });
            return;
        }
        transport.call(authenticator.mayBlock(), () -> authenticator.authenticate(credentials, session.client()),
                this::authenticated, result -> { });
    }

    /** What a worker learned in one trip: the authenticator's answer, and the maildrop if it accepted. */
    private record Both(AuthResult result, MaildropView view, Exception openFailure) {
    }

    private Both authenticateAndOpen(Authenticator authenticator, MailboxStore store, ClientInfo client,
                                     StoreCall timing) {
        AuthResult result = authenticator.authenticate(credentials, client);
        if (!(result instanceof AuthResult.Accepted accepted)) {
            return new Both(result, null, null);
        }
        try {
            return new Both(result, timing.run(() -> view(store, accepted.mailbox(), client)), null);
        } catch (Exception e) {
            return new Both(result, null, e);
        }
    }

    private void authenticated(AuthResult result, Exception failure) {
        if (failure != null || result == null) {
            LOG.error("authenticator failed", failure);
            result = AuthResult.unavailable(failure == null ? "authenticator returned null"
                    : "authenticator threw " + failure.getClass().getName());
        }
        if (result instanceof AuthResult.Rejected rejected) {
            session.complete(errorResponse == null
                    ? session.loginFailed(credentials.username(), mechanism, rejected.reason())
                    : session.rejectedWithErrorResponse(credentials.username(), mechanism, rejected.reason(),
                            errorResponse));
        } else if (result instanceof AuthResult.Delayed delayed) {
            services.metrics().loginFailed();
            failed(Cause.LOGIN_DELAY, "login delay: retry after " + delayed.retryAfter());
            session.complete(Replies.LOGIN_DELAYED);
        } else if (result instanceof AuthResult.Unavailable unavailable) {
            LOG.warn("authentication unavailable: {}", LogSafe.text(unavailable.reason()));
            failed(Cause.AUTHENTICATOR_UNAVAILABLE, unavailable.reason());
            session.complete(Replies.AUTH_UNAVAILABLE);
        } else {
            open(((AuthResult.Accepted) result).mailbox(), System.nanoTime() + RELEASE_WAIT.toNanos(), false);
        }
    }

    private void open(String mailbox, long waitUntil, boolean lookedAgain) {
        MailboxStore store = services.config().store();
        StoreCall timing = new StoreCall(MailboxStore.Operation.OPEN);
        ClientInfo client = session.client();
        transport.call(openMayBlock(store), () -> timing.run(() -> view(store, mailbox, client)),
                (view, failure) -> {
                    timing.report(services.events(), client);
                    opened(mailbox, view, failure, waitUntil, lookedAgain);
                },
                view -> close(view.maildrop()));
    }

    /** Opening may block when the store's open may, or when it expires messages at login and its update may. */
    private boolean openMayBlock(MailboxStore store) {
        return store.mayBlock(MailboxStore.Operation.OPEN) || services.config().policies().retention().isPresent()
                && store.mayBlock(MailboxStore.Operation.UPDATE);
    }

    private MaildropView view(MailboxStore store, String mailbox, ClientInfo client) throws StoreException {
        Maildrop maildrop = store.open(mailbox);
        try {
            return Listing.of(services.config(), maildrop, mailbox, credentials.username(), client);
        } catch (RuntimeException | Error e) {
            // An Error too (a bug in the store): the maildrop is closed here, or its hold would stay until restart.
            close(maildrop);
            throw new StoreException(StoreException.Kind.TEMPORARY, "could not list " + mailbox, e);
        }
    }

    private void opened(String mailbox, MaildropView view, Exception failure, long waitUntil, boolean lookedAgain) {
        if (failure == null) {
            // A token or certificate may name no user (OAUTHBEARER without a=, EXTERNAL): the mailbox says who.
            session.enter(view, credentials.username().isEmpty() ? mailbox : credentials.username(), mechanism);
            return;
        }
        long left = waitUntil - System.nanoTime();
        if (left > 0 && failure instanceof StoreException e && e.kind() == StoreException.Kind.IN_USE) {
            var holder = services.holds().holder(mailbox);
            if (holder.isPresent()) {
                LOG.debug("mailbox {} is held by another session of this server; waiting for its release",
                        LogSafe.text(mailbox));
                transport.when(holder.get().release(), Duration.ofNanos(left),
                        () -> open(mailbox, waitUntil, false));
                return;
            }
            if (!lookedAgain) {
                // A session of ours may have released it between the store's answer and now: look once more.
                open(mailbox, waitUntil, true);
                return;
            }
        }
        failed(Cause.MAILDROP, "maildrop " + mailbox + " could not be opened: " + failure.getMessage());
        session.complete(Dispatcher.storeFailure(failure));
    }

    private void failed(Cause cause, String reason) {
        services.events().emit(new Pop3Event.LoginFailed(session.client(), credentials.username(), mechanism,
                cause, reason));
    }

    /**
     * Releases a maildrop, logging a store that fails to.
     *
     * @param maildrop the maildrop
     */
    static void close(Maildrop maildrop) {
        try {
            maildrop.close();
        } catch (RuntimeException | Error e) {
            LOG.error("store failed to release a maildrop", e);
        }
    }

    /** @return the reply while the attempt runs */
    static Reply pending() {
        return Replies.LATER;
    }
}
