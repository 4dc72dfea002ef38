/** A {@code MailboxStore} over PostgreSQL that several server nodes share: streamed content, a cluster-wide hold. */
module dev.poplar.pop3.store.jdbc {
    requires transitive dev.poplar.pop3.store;
    requires transitive java.sql;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    requires flyway.core;
    requires org.slf4j;

    exports dev.poplar.pop3.store.jdbc;
    // Flyway reads the versioned SQL scripts as resources of this package.
    opens dev.poplar.pop3.store.jdbc.migration;
}
