package dev.poplar.pop3.server.internal.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;

/**
 * The mailboxes this server's sessions hold, so that a login that finds its mailbox {@code [IN-USE]} can tell whether
 * the holder is one of our sessions that is already ending (its client dropped the connection and reconnected at
 * once, as phones and laptops do when they change networks), and wait for its release instead of failing.
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
     * The release of a mailbox held by a session of this server that is ending.
     *
     * @param mailbox the mailbox
     * @return completes when it is released; empty if no ending session of ours holds it
     */
    Optional<CompletionStage<Void>> releaseOfEnding(String mailbox) {
        Hold hold = held.get(mailbox);
        return hold != null && hold.ending ? Optional.of(hold.released) : Optional.empty();
    }

    /** One session's hold on one mailbox. */
    final class Hold {
        private final String mailbox;
        private final CompletableFuture<Void> released = new CompletableFuture<>();
        private volatile boolean ending;

        private Hold(String mailbox) {
            this.mailbox = mailbox;
        }

        /** The session is ending: its connection is closed or closing. */
        void ending() {
            ending = true;
        }

        /** The store has released the mailbox. */
        void released() {
            held.remove(mailbox, this);
            released.complete(null);
        }
    }
}
