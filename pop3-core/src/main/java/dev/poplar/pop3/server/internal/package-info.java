/**
 * The engine behind {@code Pop3Server}. Not API: nothing here is exported.
 *
 * <h2>Threads: one rule</h2>
 * A connection's MINA I/O thread owns everything about the connection: every read, every write, every TLS operation
 * (handshake, delegated tasks, encryption), and every call into its protocol session. Nothing else touches a
 * session's filter chain, and nothing takes a lock around MINA's filters. Workers run only the calls that may block:
 * the {@code Authenticator} and the {@code MailboxStore} (opening a maildrop, reading content, the UPDATE). They hand
 * their result back to the I/O thread ({@code net.HandBack}), and the session continues there. A store or
 * authenticator that declares a call non-blocking ({@code mayBlock}) is called on the I/O thread, with no hand-off.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>{@code session}: the protocol session without a socket: states, login, UPDATE, replies. It talks to its
 *       connection through {@code session.Transport}, and is tested without sockets.</li>
 *   <li>{@code command}: one class per command, the dispatcher, every reply text.</li>
 *   <li>{@code sasl}: SASL mechanisms.</li>
 *   <li>{@code codec}: framing of command lines, encoding of replies and message content.</li>
 *   <li>{@code proxy}: the PROXY protocol header parser (socket-free) and CIDR blocks.</li>
 *   <li>{@code net}: the MINA connection: input, output in bounded chunks, TLS, STLS, closing, hand-backs, and the
 *       PROXY protocol filter that goes below TLS.</li>
 *   <li>{@code hook}: the session hook of the test kit (exported to it alone).</li>
 *   <li>this package: the engine (acceptors, pools, graceful stop), configuration, connection accounting,
 *       events, counters, the failed-login throttle.</li>
 * </ul>
 */
package dev.poplar.pop3.server.internal;
