package dev.poplar.pop3.store.maildir;

/**
 * What a {@link MaildirStore} does with the messages a client deleted, when the session ends with {@code QUIT}.
 */
public enum DeletedMessages {

    /** Unlinks the message files: they are gone for every client. The default. */
    UNLINK,

    /**
     * Flags the messages {@code T} (trashed), as Dovecot does with {@code pop3_deleted_flag}: POP3 sessions no longer
     * list them, while IMAP clients still see them (flagged for deletion) until one of them expunges. Messages already
     * flagged {@code T} are left out of POP3 listings in this mode.
     */
    FLAG_TRASHED
}
