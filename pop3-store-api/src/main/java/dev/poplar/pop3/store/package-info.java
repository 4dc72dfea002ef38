/**
 * The storage SPI of Poplar: where a POP3 server finds the messages it serves.
 *
 * <p>An application gives the server one {@link dev.poplar.pop3.store.MailboxStore}. After a client has
 * authenticated, the server calls {@link dev.poplar.pop3.store.MailboxStore#open(String)} to take an exclusive hold
 * on the user's maildrop; the returned {@link dev.poplar.pop3.store.Maildrop} is a fixed snapshot of the messages
 * for the whole session. Content is read as a stream ({@link dev.poplar.pop3.store.MessageContent}), never as one
 * array. Deletion happens once, when the client ends the session with {@code QUIT}, through
 * {@link dev.poplar.pop3.store.Maildrop#update(java.util.Set, java.util.Set)}.
 *
 * <p>All SPI methods are synchronous and may block: the server calls them on its worker threads, never on a network
 * I/O thread. They report failures by throwing {@link dev.poplar.pop3.store.StoreException}, whose
 * {@link dev.poplar.pop3.store.StoreException.Kind kind} the server maps to a POP3 response code. The text of an
 * exception is logged, never sent to a client.
 */
package dev.poplar.pop3.store;
