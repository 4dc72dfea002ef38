package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.maildir.DeletedMessages;
import dev.poplar.pop3.store.maildir.MaildirStore;
import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code store} section: where mail lives. Exactly one kind:
 *
 * <pre>
 * store:
 *   maildir:                          # pop3-store-maildir: one Maildir per user at ROOT/&lt;user&gt;
 *     root: /var/mail/vhosts
 *     deleted_messages: unlink        # or flag_trashed (Dovecot's pop3_deleted_flag)
 *     mark_retrieved_seen: false
 *     create_missing_mailboxes: true
 *     lock_stale_after: 2m
 *     lock_heartbeat: 30s
 *     listing_cache: 1000
 *     size_cache: 100000
 *     lock_host_name: mail1           # default: this host's name
 *   # or, for a demo:
 *   memory:                           # one mailbox of sample mail, in memory, gone at exit
 *     user: demo
 *     password_file: demo.pass        # or password: ${env:DEMO_PASSWORD}; default: a random one, printed
 * </pre>
 *
 * A further kind (a database store) is one more {@code case} here: its section, read into its builder.
 */
final class StoreConfig {

    /** An opened store: serve it, close it after the server stops. */
    record Opened(MailboxStore store, AutoCloseable resource, String description) {
    }

    /** The maildir section if there is one, else the store section. */
    private final ConfigSection section;
    private final Optional<MaildirStore.Builder> maildir;
    private final String memoryUser;
    private final Optional<String> memoryPassword;

    private StoreConfig(ConfigSection section, Optional<MaildirStore.Builder> maildir, String memoryUser,
                        Optional<String> memoryPassword) {
        this.section = section;
        this.maildir = maildir;
        this.memoryUser = memoryUser;
        this.memoryPassword = memoryPassword;
    }

    static StoreConfig read(ConfigSection store) {
        List<String> kinds = new ArrayList<>();
        Optional<ConfigSection> maildirSection = store.section("maildir");
        Optional<MaildirStore.Builder> maildir = maildirSection.map(StoreConfig::maildir);
        maildir.ifPresent(m -> kinds.add("maildir"));
        Optional<ConfigSection> memory = store.section("memory");
        memory.ifPresent(m -> kinds.add("memory"));
        String user = memory.flatMap(m -> m.string("user")).orElse(Standalone.DEMO_USER);
        Optional<String> password = memory.flatMap(m -> m.secret("password"));
        if (kinds.isEmpty() && !store.hasProblems()) {
            store.problem("no store: give maildir (or memory for a demo)");
        } else if (kinds.size() > 1) {
            store.problem(kinds.get(1), "give one store, not " + String.join(" and ", kinds));
        }
        return new StoreConfig(maildirSection.orElse(store), maildir, user, password);
    }

    private static MaildirStore.Builder maildir(ConfigSection maildir) {
        Optional<Path> root = maildir.path("root");
        if (!maildir.has("root")) {
            maildir.problem("root", "is missing: the directory with one Maildir per user");
        }
        MaildirStore.Builder builder = MaildirStore.builder(root.orElse(Path.of(".")));
        maildir.choice("deleted_messages", DeletedMessages.class, builder::deletedMessages);
        maildir.bool("mark_retrieved_seen", builder::markRetrievedSeen);
        maildir.bool("create_missing_mailboxes", builder::createMissingMailboxes);
        maildir.duration("lock_stale_after", builder::lockStaleAfter);
        maildir.duration("lock_heartbeat", builder::lockHeartbeat);
        maildir.longInteger("listing_cache", 0, Long.MAX_VALUE, builder::listingCache);
        maildir.longInteger("size_cache", 0, Long.MAX_VALUE, builder::sizeCache);
        maildir.string("lock_host_name", builder::lockHostName);
        return builder;
    }

    /**
     * Whether this is the in-memory demo store, whose one user logs in with {@link #demoPassword()}.
     *
     * @return true for {@code memory}
     */
    boolean memory() {
        return maildir.isEmpty();
    }

    /** @return the demo mailbox's user */
    String demoUser() {
        return memoryUser;
    }

    /** @return the demo user's password, if the configuration gives one */
    Optional<String> demoPassword() {
        return memoryPassword;
    }

    /**
     * Opens the store.
     *
     * @return the store with what to close and a description for the operator
     * @throws ConfigException naming the setting, its line and the problem
     */
    Opened open() throws ConfigException {
        if (maildir.isPresent()) {
            try {
                MaildirStore store = maildir.get().build();
                return new Opened(store, store, "Maildirs under " + store.root());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw section.blamed(e.getMessage());
            }
        }
        InMemoryMailboxStore demo = new InMemoryMailboxStore();
        int count = SampleMail.seed(demo, memoryUser);
        return new Opened(demo, () -> { }, "a demo mailbox '" + memoryUser + "' with " + count + " messages");
    }
}
