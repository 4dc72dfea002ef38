package dev.poplar.pop3.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * Puts new mail into a store: what a mail transfer agent (Postfix's {@code mailbox_command}, an LMTP listener) or an
 * application calls. Stores that can receive mail implement it beside {@link MailboxStore}.
 *
 * <p><b>Contract.</b> The message is read from the stream to its end, in bounded memory (never held whole), and
 * becomes visible to new sessions only once it is complete: a failure in the middle leaves nothing behind. A session
 * that has the mailbox open keeps its snapshot and does not see the new message. Delivery does not need the
 * mailbox's exclusive hold: mail may arrive while a client is logged in.
 *
 * <p><b>Threading.</b> Thread-safe; may block.
 */
@FunctionalInterface
public interface Delivery {

    /**
     * Delivers one message.
     *
     * @param mailbox the mailbox name, as an {@code Authenticator} would return it
     * @param message the message octets (LF or CRLF line ends); read to its end, not closed
     * @return the new message's unique id and POP3 size
     * @throws IOException if reading the message fails; nothing is delivered
     * @throws StoreException if the store cannot take it ({@link StoreException.Kind#TEMPORARY} to retry later,
     *     {@link StoreException.Kind#PERMANENT} for a mailbox that cannot receive mail)
     */
    MessageInfo deliver(String mailbox, InputStream message) throws IOException, StoreException;
}
