/**
 * A production {@link dev.poplar.pop3.store.MailboxStore} over Maildir folders as Postfix, Dovecot and Courier write
 * them ({@link dev.poplar.pop3.store.maildir.MaildirStore}), and an
 * {@link dev.poplar.pop3.auth.Authenticator} over a Dovecot-compatible users file
 * ({@link dev.poplar.pop3.store.maildir.PasswdFileAuthenticator}).
 */
package dev.poplar.pop3.store.maildir;
