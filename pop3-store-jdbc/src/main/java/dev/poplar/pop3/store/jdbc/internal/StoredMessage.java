package dev.poplar.pop3.store.jdbc.internal;

/**
 * The store's handle on a message ({@link dev.poplar.pop3.store.MessageInfo#handle()}): what reading it needs beyond
 * the unique id and POP3 size.
 *
 * @param id the row id in {@code message}
 * @param octets how many octets are stored
 * @param wireReady whether the stored octets are in wire form
 */
public record StoredMessage(long id, long octets, boolean wireReady) {
}
