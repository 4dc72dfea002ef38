/**
 * A production {@link dev.poplar.pop3.store.MailboxStore} over Maildir folders as Postfix, Dovecot and Courier write
 * them ({@link dev.poplar.pop3.store.maildir.MaildirStore}).
 *
 * <p>It serves the mail an MTA delivers to {@code /var/mail/<user>/{cur,new,tmp}}; the server's
 * {@link dev.poplar.pop3.auth.Authenticator} names the mailbox to open (for the users of an existing Dovecot
 * passwd-file, {@code PasswdFileAuthenticator} of the {@code pop3-auth-passwd} module names the user):
 *
 * <pre>{@code
 * try (MaildirStore maildirs = MaildirStore.builder(Path.of("/var/mail"))
 *         .deletedMessages(DeletedMessages.UNLINK)
 *         .markRetrievedSeen(true)
 *         .build()) {
 *     // give it to the server with an authenticator: the authenticator names the mailbox, the store opens it
 * }
 * }</pre>
 *
 * <p>Implementation classes live in {@code dev.poplar.pop3.store.maildir.internal} and are not API.
 */
package dev.poplar.pop3.store.maildir;
