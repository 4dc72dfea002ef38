/**
 * A contract kit for storage implementations: {@link dev.poplar.pop3.testkit.store.MailboxStoreContract} holds, as
 * JUnit 5 tests, everything the storage SPI promises; a store author extends it and returns a fresh
 * {@link dev.poplar.pop3.testkit.store.StoreUnderTest} for each test. Poplar's own stores (in memory, Maildir) are
 * tested with it.
 */
package dev.poplar.pop3.testkit.store;
