/**
 * The authentication SPI of Poplar: who may log in, and which mailbox they get.
 *
 * <p>An application gives the server one {@link dev.poplar.pop3.auth.Authenticator}. The server hands it the
 * {@link dev.poplar.pop3.auth.Credentials} a client presented (by {@code USER}/{@code PASS}, {@code APOP} or a SASL
 * mechanism) together with {@link dev.poplar.pop3.auth.ClientInfo} about the connection, and acts on the
 * {@link dev.poplar.pop3.auth.AuthResult}.
 */
package dev.poplar.pop3.auth;
