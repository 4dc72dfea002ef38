package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.server.Expire;
import dev.poplar.pop3.server.Retention;
import dev.poplar.pop3.server.internal.LogSafe;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Enforces retention policies through the store: at login, before the session lists the mailbox (the session holds
 * it, so no one sees messages disappear); at {@code QUIT}, for messages retrieved in the session whose time is up; and
 * in a sweep of one mailbox, which takes the mailbox's hold like a session. Thread-safe (stateless); runs where the
 * store may be called.
 */
public final class Expiry {

    private static final Logger LOG = LoggerFactory.getLogger(Expiry.class);

    private Expiry() {
    }

    /**
     * The retention policy of a mailbox: its own if the server has policies per mailbox, unless that one would
     * break what the server announced before login (fewer days than the minimum) or needs message times the store
     * does not report; then the minimum, with a warning.
     *
     * @param config the server's configuration
     * @param mailbox the mailbox
     * @return its policy, or empty if the server has none
     */
    static Optional<Retention> policyOf(ServerConfig config, String mailbox) {
        ServerConfig.Policies policies = config.policies();
        if (policies.retention().isEmpty() || policies.retentionPerMailbox().isEmpty()) {
            return policies.retention();
        }
        Retention minimum = policies.retention().get();
        Retention own = policies.retentionPerMailbox().get().apply(mailbox);
        if (own == null) {
            return policies.retention();
        }
        if (shorter(own.expire(), minimum.expire())) {
            LOG.warn("the retention policy of mailbox {} ({}) is shorter than the minimum announced before login "
                    + "({}); the minimum applies", LogSafe.text(mailbox), own, minimum);
            return policies.retention();
        }
        if (!config.store().messageTimes().containsAll(own.requiredTimes())) {
            LOG.warn("the retention policy of mailbox {} ({}) needs message times the store does not report ({}); "
                    + "the minimum ({}) applies", LogSafe.text(mailbox), own, config.store().messageTimes(), minimum);
            return policies.retention();
        }
        return Optional.of(own);
    }

    private static boolean shorter(Expire a, Expire b) {
        return a.days().isPresent() && (b.days().isEmpty() || a.days().getAsInt() < b.days().getAsInt());
    }

    /**
     * Removes the messages of a maildrop just opened whose time is up.
     *
     * @param maildrop the maildrop, held
     * @param mailbox its name, for the log
     * @param policy its policy
     * @param now the time
     * @return the messages to list: the maildrop's, less those removed
     */
    static List<MessageInfo> atOpen(Maildrop maildrop, String mailbox, Retention policy, Instant now) {
        List<MessageInfo> all = maildrop.messages();
        Set<MessageInfo> due = new LinkedHashSet<>();
        for (MessageInfo message : all) {
            if (policy.expired(maildrop.arrived(message).orElse(null), maildrop.firstRetrieved(message).orElse(null),
                    now)) {
                due.add(message);
            }
        }
        if (due.isEmpty()) {
            return all;
        }
        Set<MessageInfo> kept = remove(maildrop, mailbox, due);
        List<MessageInfo> listed = new ArrayList<>(all.size());
        for (MessageInfo message : all) {
            if (!due.contains(message) || kept.contains(message)) {
                listed.add(message);
            }
        }
        return listed;
    }

    private static Set<MessageInfo> remove(Maildrop maildrop, String mailbox, Set<MessageInfo> due) {
        UpdateResult result;
        try {
            result = maildrop.expire(due);
        } catch (StoreException | RuntimeException e) {
            LOG.warn("could not remove {} expired messages from {}", due.size(), LogSafe.text(mailbox), e);
            return due;
        }
        Set<MessageInfo> kept = result == null ? Set.of() : result.notRemoved();
        LOG.info("removed {} messages from {} under its retention policy{}", due.size() - kept.size(),
                LogSafe.text(mailbox), kept.isEmpty() ? "" : "; " + kept.size() + " could not be removed");
        return kept;
    }

    /**
     * The messages retrieved in a session that are due at its end ({@code EXPIRE 0}: all of them).
     *
     * @param maildrop the maildrop
     * @param policy its policy
     * @param retrieved the messages retrieved in the session and not deleted
     * @param now the time
     * @return the messages to remove with the deleted ones
     */
    static Set<MessageInfo> atQuit(Maildrop maildrop, Retention policy, Set<MessageInfo> retrieved, Instant now) {
        Set<MessageInfo> due = new LinkedHashSet<>();
        for (MessageInfo message : retrieved) {
            if (policy.expired(maildrop.arrived(message).orElse(null),
                    maildrop.firstRetrieved(message).orElse(now), now)) {
                due.add(message);
            }
        }
        return due;
    }

    /**
     * Applies the policy to one mailbox: opens it (taking its hold, as a session does), removes what is due, and
     * releases it. Blocks on the store.
     *
     * @param config the server's configuration
     * @param holds the server's holds, so that a login meanwhile waits for the release; {@code null} when not running
     * @param mailbox the mailbox
     * @return how many messages were removed
     * @throws StoreException from opening the mailbox: {@link StoreException.Kind#IN_USE} if a session holds it
     */
    public static int sweep(ServerConfig config, MailboxHolds holds, String mailbox) throws StoreException {
        Retention policy = policyOf(config, mailbox).orElseThrow(() -> new IllegalStateException(
                "the server has no retention policy: set one with Pop3Server.Builder.retention(...)"));
        MailboxStore store = config.store();
        Maildrop maildrop = store.open(mailbox);
        MailboxHolds.Hold hold = holds == null ? null : holds.acquired(mailbox);
        try {
            return maildrop.messages().size()
                    - atOpen(maildrop, mailbox, policy, config.policies().clock().instant()).size();
        } finally {
            Login.close(maildrop);
            if (hold != null) {
                hold.released();
            }
        }
    }
}
