package dev.poplar.pop3.server.internal.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;

/**
 * The mailboxes this server's sessions hold, so that a login that finds its mailbox {@code [IN-USE]} can tell whether
 * the holder is one of our own sessions, perhaps one whose client has just dropped the connection and reconnected at
 * once (as phones and laptops do when they change networks), and wait for its release instead of failing.
 * Thread-safe.
 */
public final class MailboxHolds {

    private final ConcurrentHashMap<String, Hold> held = new ConcurrentHashMap<>();

    /**
     * Records that a session holds a mailbox.
     *
     * @param mailbox the mailbox
     * @return the hold, to report the session's end and the release
     */
    Hold acquired(String mailbox) {
        Hold hold = new Hold(mailbox);
        held.put(mailbox, hold);
        return hold;
    }

    /**
     * The hold of one of this server's sessions on a mailbox.
     *
     * @param mailbox the mailbox
     * @return the hold, or empty if no session of ours holds it
     */
    Optional<Hold> holder(String mailbox) {
        return Optional.ofNullable(held.get(mailbox));
    }

    /** One session's hold on one mailbox. */
    final class Hold {
        private final String mailbox;
        private final CompletableFuture<Void> released = new CompletableFuture<>();

        private Hold(String mailbox) {
            this.mailbox = mailbox;
        }

        /** @return completes when the store has released the mailbox */
        CompletionStage<Void> release() {
            return released;
        }

        /** The store has released the mailbox. */
        void released() {
            held.remove(mailbox, this);
            released.complete(null);
        }
    }
}
