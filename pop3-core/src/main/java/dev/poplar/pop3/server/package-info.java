/**
 * Poplar's POP3 server: {@link dev.poplar.pop3.server.Pop3Server} and its configuration.
 *
 * <p>A server serves the mailboxes of one {@link dev.poplar.pop3.store.MailboxStore} to the users an
 * {@link dev.poplar.pop3.auth.Authenticator} accepts, on one or more {@link dev.poplar.pop3.server.Listener}s:
 * <pre>{@code
 * try (Pop3Server server = Pop3Server.builder()
 *         .store(store)
 *         .authenticator(Authenticator.fromMap(Map.of("alice", "s3cret")))
 *         .listener(Listener.plain("127.0.0.1", 0))
 *         .build()) {
 *     server.start();
 *     System.out.println("POP3 on " + server.localAddress());
 * }
 * }</pre>
 * What happens on the wire is reported to a {@link dev.poplar.pop3.server.Pop3Observer}.
 */
package dev.poplar.pop3.server;
