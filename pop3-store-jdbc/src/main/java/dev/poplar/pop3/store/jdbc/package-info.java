/**
 * A production {@link dev.poplar.pop3.store.MailboxStore} and {@link dev.poplar.pop3.store.Delivery} over
 * PostgreSQL ({@link dev.poplar.pop3.store.jdbc.JdbcMailboxStore}) that several server nodes share: content streamed
 * in and out in chunks, a cluster-wide exclusive hold per mailbox, and a schema migrated with versioned scripts.
 *
 * <pre>{@code
 * try (JdbcMailboxStore store = JdbcMailboxStore.builder(
 *             "jdbc:postgresql://db.example.org/mail", "poplar", System.getenv("POPLAR_DB_PASSWORD"))
 *         .schema("poplar")
 *         .build()) {
 *     store.deliver("alice", System.in);          // what an MTA's delivery command does
 *     // give the store to the server: the authenticator names the mailbox, the store opens it
 * }
 * }</pre>
 *
 * <p>Implementation classes live in {@code dev.poplar.pop3.store.jdbc.internal} and are not API.
 */
package dev.poplar.pop3.store.jdbc;
