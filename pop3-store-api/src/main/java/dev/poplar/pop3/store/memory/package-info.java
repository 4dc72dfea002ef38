/**
 * The in-memory {@link dev.poplar.pop3.store.MailboxStore}: the embedded default and the store of the test server.
 */
package dev.poplar.pop3.store.memory;
