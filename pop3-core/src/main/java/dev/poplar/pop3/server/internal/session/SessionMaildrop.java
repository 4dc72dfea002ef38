package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.ContentHook;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.Verb;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.RefusedContent;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The maildrop of a logged-in session: the server's hold on its mailbox, the content of its messages (through the
 * content hook), what was retrieved, the UPDATE state and the release. Released exactly once: by UPDATE at
 * {@code QUIT}, or without UPDATE when the connection ends otherwise.
 *
 * <p>Session thread only, except the store calls it hands to workers.
 */
final class SessionMaildrop {

    private static final Logger LOG = LoggerFactory.getLogger(SessionMaildrop.class);
    private final SessionServices services;
    private final ServerConfig config;
    private final Transport transport;
    private final MaildropView drop;
    private final MailboxHolds.Hold hold;
    private final SessionStats stats;
    private final Supplier<ClientInfo> client;
    private boolean released;
    /**
     * Whether the next message may be read ahead: only where reading content cannot block, and without a content hook
     * (which would be shown a message the client may never ask for).
     */
    private final boolean readsAhead;
    /** The number of the message last retrieved in full, 0 before the first. */
    private int lastRetrieved;

    SessionMaildrop(SessionServices services, Transport transport, MaildropView drop, SessionStats stats,
                    Supplier<ClientInfo> client) {
        this.services = services;
        this.config = services.config();
        this.transport = transport;
        this.drop = drop;
        this.hold = services.holds().acquired(drop.mailbox());
        this.stats = stats;
        this.client = client;
        this.readsAhead = config.policies().contentHook().isEmpty()
                && !config.store().mayBlock(MailboxStore.Operation.CONTENT);
    }

    /** @return the maildrop as the commands see it */
    MaildropView view() {
        return drop;
    }

    /** A message went out in full ({@code RETR}): counts it and reports it. */
    void retrieved(Reply.Content content) {
        MessageInfo message = content.message();
        long size = drop.size(content.number());
        drop.retrieved(content.number());
        stats.retrieved++;
        stats.retrievedOctets += size;
        services.metrics().retrieved(size);
        services.events().emit(new Pop3Event.MessageRetrieved(client.get(), drop.mailbox(), message.uid(), size));
        offerReadAhead(content.number());
    }

    /**
     * Offers the transport the message after one just retrieved, which a client downloading its mailbox in order
     * asks for next ({@link Transport#readAhead}), where {@link #readsAhead}, and only while the client retrieves
     * in order: after a {@code RETR} that did not follow the one before it, nothing is offered, so a client that skips
     * around costs at most one wasted read-ahead for every two messages it retrieves.
     *
     * @param number the message just retrieved
     */
    private void offerReadAhead(int number) {
        boolean inOrder = lastRetrieved == 0 || lastRetrieved == number - 1;
        lastRetrieved = number;
        if (!inOrder || !readsAhead) {
            return;
        }
        int next = number + 1;
        MessageInfo message = drop.live(next);
        if (message != null) {
            transport.readAhead(Replies.retrieve(next, message, drop.size(next), contentOf(next, Verb.RETR, null)));
        }
    }

    /**
     * The content of a message, opened when its reply is sent, through the content hook if there is one.
     *
     * @param number the message number
     * @param verb {@code RETR} or {@code TOP}
     * @param username who is logged in
     * @return the source of the content
     */
    Reply.Source contentOf(int number, Verb verb, String username) {
        var maildrop = drop.maildrop();
        MessageInfo message = drop.live(number);
        ContentHook hook = config.policies().contentHook().orElse(null);
        boolean mayBlock = config.store().mayBlock(MailboxStore.Operation.CONTENT) || hook != null && hook.mayBlock();
        ContentHook.Recipient recipient = hook == null ? null
                : new ContentHook.Recipient(username, drop.mailbox(), client.get());
        long size = drop.size(number);
        StoreCall timing = new StoreCall(MailboxStore.Operation.CONTENT);
        return new Reply.Source() {
            @Override
            public MessageContent open() throws StoreException, RefusedContent {
                if (released) {
                    // Only a read-ahead can come this late; the maildrop is no longer the session's to call.
                    throw new StoreException(StoreException.Kind.TEMPORARY, "the maildrop was released");
                }
                MessageContent stored = timing.run(() -> maildrop.content(message));
                return hook == null ? stored : HookedContent.open(hook, stored, recipient, message, verb, size);
            }

            @Override
            public boolean mayBlock() {
                return mayBlock;
            }

            @Override
            public void opened(Exception failure) {
                timing.report(services.events(), client.get());
            }
        };
    }

    /**
     * Runs the UPDATE state (RFC 1939 section 6): the maildrop is released before the reply, so that the client may
     * log in again at once.
     *
     * @param complete takes the reply when it comes later
     * @return the reply now, or {@link Replies#LATER}
     */
    Reply update(Consumer<Reply> complete) {
        Update update = new Update(drop, services, client.get(), stats);
        boolean mayBlock = config.store().mayBlock(MailboxStore.Operation.UPDATE);
        if (update.nothingToDo() && !closeMayBlock()) {
            release();
            return Replies.signOff(0, 0);
        }
        released = true;
        MailboxHolds.Hold held = hold;
        transport.call(mayBlock, () -> update.run(held), (reply, failure) -> {
            update.timing().report(services.events(), client.get());
            if (reply == null) {
                // The UPDATE failed before it had a reply (an unexpected exception), or never ran (a worker pool
                // shut down): QUIT still gets an answer, and a maildrop the UPDATE never took is released here.
                LOG.error("UPDATE of {} failed; nothing is reported removed", drop.mailbox(), failure);
                if (!update.started()) {
                    Login.close(drop.maildrop());
                    held.released();
                }
                reply = Replies.signOff(0, update.markedCount());
            }
            complete.accept(reply);
        }, reply -> { });
        return Replies.LATER;
    }

    /** Whether closing the maildrop, after no update, may block: both the store and the maildrop say it may. */
    private boolean closeMayBlock() {
        return config.store().mayBlock(MailboxStore.Operation.UPDATE) && closeMayBlock(drop.maildrop());
    }

    private static boolean closeMayBlock(Maildrop maildrop) {
        try {
            return maildrop.closeMayBlock();
        } catch (RuntimeException e) {
            LOG.warn("Maildrop.closeMayBlock() threw; closing on a worker", e);
            return true;
        }
    }

    /** Releases the maildrop without UPDATE, unless UPDATE has it; on a worker if closing it may block. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        MailboxHolds.Hold held = hold;
        var maildrop = drop.maildrop();
        Runnable release = () -> {
            Login.close(maildrop);
            held.released();
        };
        if (closeMayBlock()) {
            try {
                services.releaser().execute(release);
                return;
            } catch (RejectedExecutionException e) {
                // The server is stopping: release here rather than never.
            }
        }
        release.run();
    }
}
