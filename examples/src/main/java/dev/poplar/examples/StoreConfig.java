package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.store.MailboxStore;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.jdbc.JdbcMailboxStore;
import dev.poplar.pop3.store.maildir.DeletedMessages;
import dev.poplar.pop3.store.maildir.LockScope;
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
 *     mailbox_link_targets: [/home]   # where a user's Maildir may be a symbolic link to
 *     follow_message_links: false
 *     content_may_block: false        # true on NFS, CephFS or slow disks
 *     dovecot_uidls: true             # keep Dovecot's UIDLs (dovecot-uidlist) for Maildirs moved from Dovecot
 *     dovecot_uidl_format: "%08Xu%08Xv"   # Dovecot's pop3_uidl_format
 *     record_retrieval_times: true    # for a retention section that counts from first retrieval
 *   # or PostgreSQL, shared by several server nodes:
 *   jdbc:                             # pop3-store-jdbc
 *     url: jdbc:postgresql://db.example.org/mail
 *     user: poplar
 *     password_file: /etc/poplar/db.pass   # or password: ${env:POPLAR_DB_PASSWORD}
 *     schema: poplar
 *     migrate: true                   # create and migrate the schema at start
 *     create_missing_mailboxes: true
 *     connection_timeout: 5s
 *     statement_timeout: 5s
 *     pool_size: 10
 *     hold_lease: 10s
 *     heartbeat: 2s
 *     node_name: mail1                # default: host name and process id
 *     max_message_size: 104857600
 *     listing_cache: 200000
 *   # or, for a demo:
 *   memory:                           # one mailbox of sample mail, in memory, gone at exit
 *     user: demo
 *     password_file: demo.pass        # or password: ${env:DEMO_PASSWORD}; default: a random one, printed
 * </pre>
 *
 * A further kind of store is one more section here, read into its builder, and one more branch in {@link #open()}.
 */
final class StoreConfig {

    /** An opened store: serve it, close it after the server stops. */
    record Opened(MailboxStore store, AutoCloseable resource, String description) {
    }

    /** The section of the chosen kind (maildir, jdbc, memory), or the store section. */
    private final ConfigSection section;
    private final Optional<MaildirStore.Builder> maildir;
    private final Optional<JdbcMailboxStore.Builder> jdbc;
    private final String memoryUser;
    private final Optional<String> memoryPassword;
    private final boolean recordsRetrievals;

    private StoreConfig(ConfigSection section, Optional<MaildirStore.Builder> maildir,
                        Optional<JdbcMailboxStore.Builder> jdbc, String memoryUser, Optional<String> memoryPassword,
                        boolean recordsRetrievals) {
        this.section = section;
        this.recordsRetrievals = recordsRetrievals;
        this.maildir = maildir;
        this.jdbc = jdbc;
        this.memoryUser = memoryUser;
        this.memoryPassword = memoryPassword;
    }

    static StoreConfig read(ConfigSection store) {
        List<String> kinds = new ArrayList<>();
        Optional<ConfigSection> maildirSection = store.section("maildir");
        Optional<MaildirStore.Builder> maildir = maildirSection.map(StoreConfig::maildir);
        boolean recordsRetrievals = maildirSection.flatMap(m -> m.bool("record_retrieval_times")).orElse(true);
        maildir.ifPresent(m -> m.recordRetrievalTimes(recordsRetrievals));
        maildir.ifPresent(m -> kinds.add("maildir"));
        Optional<ConfigSection> jdbcSection = store.section("jdbc");
        Optional<JdbcMailboxStore.Builder> jdbc = jdbcSection.map(StoreConfig::jdbc);
        jdbc.ifPresent(j -> kinds.add("jdbc"));
        Optional<ConfigSection> memory = store.section("memory");
        memory.ifPresent(m -> kinds.add("memory"));
        String user = memory.flatMap(m -> m.string("user")).orElse(Standalone.DEMO_USER);
        Optional<String> password = memory.flatMap(m -> m.secret("password"));
        if (kinds.isEmpty() && !store.hasProblems()) {
            store.problem("no store: give maildir or jdbc (or memory for a demo)");
        } else if (kinds.size() > 1) {
            store.problem(kinds.get(1), "give one store, not " + String.join(" and ", kinds));
        }
        ConfigSection chosen = maildirSection.or(() -> jdbcSection).or(() -> memory).orElse(store);
        return new StoreConfig(chosen, maildir, jdbc, user, password, recordsRetrievals);
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
        maildir.choice("lock_scope", LockScope.class, builder::lockScope);
        maildir.duration("lock_stale_after", builder::lockStaleAfter);
        maildir.duration("lock_heartbeat", builder::lockHeartbeat);
        maildir.longInteger("listing_cache", 0, Long.MAX_VALUE, builder::listingCache);
        maildir.longInteger("size_cache", 0, Long.MAX_VALUE, builder::sizeCache);
        maildir.string("lock_host_name", builder::lockHostName);
        List<Path> linkTargets = new ArrayList<>();
        maildir.strings("mailbox_link_targets", target -> linkTargets.add(maildir.resolve(target)));
        if (!linkTargets.isEmpty()) {
            maildir.apply("mailbox_link_targets", () -> builder.mailboxLinkTargets(linkTargets));
        }
        maildir.bool("follow_message_links", builder::followMessageLinks);
        maildir.bool("content_may_block", builder::contentMayBlock);
        maildir.bool("dovecot_uidls", builder::dovecotUidls);
        maildir.string("dovecot_uidl_format", builder::dovecotUidlFormat);
        return builder;
    }

    private static JdbcMailboxStore.Builder jdbc(ConfigSection jdbc) {
        Optional<String> url = jdbc.string("url");
        Optional<String> user = jdbc.string("user");
        Optional<String> password = jdbc.secret("password");
        for (String key : List.of("url", "user")) {
            if (!jdbc.has(key)) {
                jdbc.problem(key, "is missing");
            }
        }
        JdbcMailboxStore.Builder builder = JdbcMailboxStore.builder(url.orElse("jdbc:postgresql:"),
                user.orElse(""), password.orElse(""));
        jdbc.string("schema", builder::schema);
        jdbc.bool("migrate", builder::migrate);
        jdbc.bool("create_missing_mailboxes", builder::createMissingMailboxes);
        jdbc.duration("connection_timeout", builder::connectionTimeout);
        jdbc.duration("statement_timeout", builder::statementTimeout);
        jdbc.integer("pool_size", 2, 10_000, builder::poolSize);
        jdbc.duration("hold_lease", builder::holdLease);
        jdbc.duration("heartbeat", builder::heartbeat);
        jdbc.string("node_name", builder::nodeName);
        jdbc.longInteger("max_message_size", 1, Long.MAX_VALUE, builder::maxMessageSize);
        jdbc.longInteger("listing_cache", 0, Long.MAX_VALUE, builder::listingCache);
        return builder;
    }

    /**
     * Sizes the store for one delivery and exit ({@code poplar deliver}): the JDBC store's pool opens two connections
     * instead of {@code pool_size}.
     *
     * @return this configuration
     */
    StoreConfig forOneDelivery() {
        jdbc.ifPresent(builder -> builder.poolSize(2));
        return this;
    }

    /**
     * Whether this is the in-memory demo store, whose one user logs in with {@link #demoPassword()}.
     *
     * @return true for {@code memory}
     */
    boolean memory() {
        return maildir.isEmpty() && jdbc.isEmpty();
    }

    /**
     * Whether the store records when each message was first retrieved, as a retention policy after retrieval needs
     * (Maildir: {@code record_retrieval_times}; PostgreSQL and the demo store always do).
     *
     * @return false only for Maildirs with {@code record_retrieval_times: false}
     */
    boolean recordsRetrievals() {
        return recordsRetrievals;
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
        try {
            return openStore();
        } catch (StoreException e) {
            throw section.blamed(e.getMessage());
        }
    }

    /**
     * Opens the store, telling a store that cannot start for now (a database that does not answer) from a wrong
     * configuration.
     *
     * @return the store with what to close and a description for the operator
     * @throws ConfigException naming the setting, its line and the problem
     * @throws StoreException {@link StoreException.Kind#TEMPORARY} if the store cannot be reached for now
     */
    Opened openStore() throws ConfigException, StoreException {
        if (maildir.isPresent()) {
            try {
                MaildirStore store = maildir.get().build();
                return new Opened(store, store, "Maildirs under " + store.root());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw section.blamed(e.getMessage());
            }
        }
        if (jdbc.isPresent()) {
            try {
                JdbcMailboxStore store = jdbc.get().build();
                return new Opened(store, store, "PostgreSQL (schema " + store.schema() + ", node "
                        + store.nodeName() + ")");
            } catch (StoreException e) {
                if (e.kind() == StoreException.Kind.TEMPORARY) {
                    throw e;
                }
                throw section.blamed(e.getMessage());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw section.blamed(e.getMessage());
            }
        }
        InMemoryMailboxStore demo = new InMemoryMailboxStore();
        int count = SampleMail.seed(demo, memoryUser);
        return new Opened(demo, () -> { }, "a demo mailbox '" + memoryUser + "' with " + count + " messages");
    }
}
