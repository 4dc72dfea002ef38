package dev.poplar.pop3.store.maildir.internal;

import java.nio.file.Path;

/**
 * Where a listed message's file was, kept as the {@link dev.poplar.pop3.store.MessageInfo#handle() handle} of its
 * {@code MessageInfo}.
 *
 * @param maildir the real path of the Maildir it belongs to
 * @param directory {@link OpenedMaildir#NEW} or {@link OpenedMaildir#CUR}
 * @param name the file name as listed
 * @param wireReady whether a scan showed the file to be in wire form already; {@code false} when unknown
 */
public record MessageFile(Path maildir, String directory, MaildirName name, boolean wireReady) {

    /**
     * The same message found under another name (its flags changed, or it moved from {@code new/} to {@code cur/}).
     *
     * @param newDirectory where it is now
     * @param newName its file name now
     * @return a copy pointing at the new place
     */
    public MessageFile movedTo(String newDirectory, MaildirName newName) {
        return new MessageFile(maildir, newDirectory, newName, wireReady);
    }
}
