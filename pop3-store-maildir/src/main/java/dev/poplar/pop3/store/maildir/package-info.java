/**
 * A production {@link dev.poplar.pop3.store.MailboxStore} over Maildir folders as Postfix, Dovecot and Courier write
 * them ({@link dev.poplar.pop3.store.maildir.MaildirStore}), and an {@link dev.poplar.pop3.auth.Authenticator} over a
 * Dovecot-compatible users file ({@link dev.poplar.pop3.store.maildir.PasswdFileAuthenticator}).
 *
 * <p>Together they serve the mail an MTA delivers to {@code /var/mail/<user>/{cur,new,tmp}} to the users of an
 * existing Dovecot passwd-file:
 *
 * <pre>{@code
 * PasswdFileAuthenticator users = PasswdFileAuthenticator.load(Path.of("/etc/poplar/users"));
 * try (MaildirStore maildirs = MaildirStore.builder(Path.of("/var/mail"))
 *         .deletedMessages(DeletedMessages.UNLINK)
 *         .markRetrievedSeen(true)
 *         .build()) {
 *     // give both to the server: the authenticator names the mailbox (the user name), the store opens it
 * }
 * }</pre>
 *
 * <p>Implementation classes live in {@code dev.poplar.pop3.store.maildir.internal} and are not API.
 */
package dev.poplar.pop3.store.maildir;
