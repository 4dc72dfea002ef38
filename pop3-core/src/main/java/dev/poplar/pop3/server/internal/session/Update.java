package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.Pop3Event;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.server.internal.command.Replies;
import dev.poplar.pop3.server.internal.command.Reply;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.UpdateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The RFC 1939 UPDATE state, entered by {@code QUIT} after login: removes the messages marked deleted and records
 * those retrieved, in one store call, then releases the maildrop. Messages retrieved in the session whose time is up
 * under the mailbox's retention policy ({@code EXPIRE 0}: all of them, RFC 2449 section 6.7) are removed with the
 * deleted ones. Runs where the store may block (a worker).
 */
final class Update {

    private static final Logger LOG = LoggerFactory.getLogger(Update.class);

    private final MaildropView drop;
    private final SessionServices services;
    private final ClientInfo client;
    private final SessionStats stats;
    private Set<MessageInfo> marked;
    private Set<MessageInfo> read;
    private final StoreCall timing = new StoreCall(MailboxStore.Operation.UPDATE);
    /** Whether {@link #run} began (it then releases the maildrop and the hold, whatever happens). */
    private volatile boolean started;

    Update(MaildropView drop, SessionServices services, ClientInfo client, SessionStats stats) {
        this.drop = drop;
        this.services = services;
        this.client = client;
        this.stats = stats;
        this.marked = drop.deletedMessages();
        this.read = drop.retrievedMessages();
    }

    /** @return the timing of the store's update, to report once the UPDATE is back on the session thread */
    StoreCall timing() {
        return timing;
    }

    /** @return whether {@link #run} began; if not, the maildrop and the hold are still the session's to release */
    boolean started() {
        return started;
    }

    /** @return how many messages the client marked deleted */
    int markedCount() {
        return marked.size();
    }

    /** @return whether the client neither deleted nor retrieved anything */
    boolean nothingToDo() {
        return marked.isEmpty() && read.isEmpty();
    }

    /**
     * Updates the store (unless the client neither deleted nor retrieved anything), then releases the maildrop.
     *
     * @param hold the session's hold on the mailbox, released with it
     * @return the reply to {@code QUIT}
     */
    Reply run(MailboxHolds.Hold hold) {
        started = true;
        try {
            return nothingToDo() ? Replies.signOff(0, 0) : update();
        } finally {
            Login.close(drop.maildrop());
            hold.released();
        }
    }

    private Reply update() {
        if (drop.retention().isPresent() && !read.isEmpty()) {
            try {
                expireRetrieved();
            } catch (RuntimeException e) {
                // The client's own deletions go ahead; only the policy's waits for a later session.
                LOG.warn("could not apply the retention policy of {} at QUIT; removing only the deleted messages",
                        drop.mailbox(), e);
            }
        }
        UpdateResult result;
        try {
            result = timing.run(() -> drop.maildrop().update(marked, read));
        } catch (Exception e) {
            LOG.warn("could not remove {} deleted messages from {}", marked.size(), drop.mailbox(), e);
            stats.notRemoved = marked.size();
            emit(List.of(), marked);
            return Replies.signOff(0, marked.size());
        }
        Set<MessageInfo> kept = result == null ? Set.of() : result.notRemoved();
        List<MessageInfo> removed = new ArrayList<>(marked);
        removed.removeAll(kept);
        stats.deleted = removed.size();
        stats.notRemoved = kept.size();
        services.metrics().deleted(removed.size());
        emit(removed, kept);
        if (!kept.isEmpty()) {
            LOG.warn("{} of {} deleted messages could not be removed from {}", kept.size(), marked.size(),
                    drop.mailbox());
        }
        return Replies.signOff(removed.size(), kept.size());
    }

    private void expireRetrieved() {
        Set<MessageInfo> due = Expiry.atQuit(drop.maildrop(), drop.retention().get(), read,
                services.config().policies().clock().instant());
        if (!due.isEmpty()) {
            marked = new LinkedHashSet<>(marked);
            marked.addAll(due);
            read = new LinkedHashSet<>(read);
            read.removeAll(due);
        }
    }

    private void emit(Collection<MessageInfo> removed, Collection<MessageInfo> kept) {
        if (removed.isEmpty() && kept.isEmpty()) {
            return;
        }
        services.events().emit(new Pop3Event.MessagesDeleted(client, drop.mailbox(),
                removed.stream().map(MessageInfo::uid).toList(), kept.stream().map(MessageInfo::uid).toList()));
    }
}
