package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.MessageInfo;

/**
 * One message of a Maildir listing: where its file was, and what POP3 needs to know about it.
 *
 * @param directory {@code "new"} or {@code "cur"}
 * @param name the file name as listed
 * @param info the unique-id and POP3 size
 * @param wireReady whether a scan showed the file to be in wire form already; {@code false} when unknown
 */
public record ListedMessage(String directory, MaildirName name, MessageInfo info, boolean wireReady) {

    /**
     * The same message found under another name (its flags changed, or it moved from {@code new/} to {@code cur/}).
     *
     * @param newDirectory where it is now
     * @param newName its file name now
     * @return a copy pointing at the new place
     */
    public ListedMessage movedTo(String newDirectory, MaildirName newName) {
        return new ListedMessage(newDirectory, newName, info, wireReady);
    }
}
