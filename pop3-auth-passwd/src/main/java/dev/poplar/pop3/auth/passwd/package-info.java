/**
 * Authentication against a Dovecot-compatible users file ({@link dev.poplar.pop3.auth.passwd.PasswdFileAuthenticator}),
 * with app passwords ({@link dev.poplar.pop3.auth.passwd.AppPasswords}) and the password tool
 * ({@link dev.poplar.pop3.auth.passwd.PasswordScheme}).
 *
 * <pre>{@code
 * PasswdFileAuthenticator users = PasswdFileAuthenticator.builder(Path.of("/etc/dovecot/users"))
 *         .appPasswords(AppPasswords.at(Path.of("/etc/poplar/app-passwords")))
 *         .build();
 * String line = "alice:" + PasswordScheme.SHA512_CRYPT.hash("s3cret");   // like doveadm pw -s SHA512-CRYPT
 * }</pre>
 *
 * <p>Implementation classes live in {@code dev.poplar.pop3.auth.passwd.internal} and are not API.
 */
package dev.poplar.pop3.auth.passwd;
