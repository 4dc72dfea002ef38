package dev.poplar.pop3.server;

/**
 * A snapshot of a server's counters since it started, for monitoring. See {@link Pop3Server#metrics()}.
 *
 * @param openSessions connections open now
 * @param connectionsAccepted connections accepted and greeted
 * @param connectionsRefused connections refused before their session: by a connection limit, the access rules, while
 *     stopping, or for want of a valid PROXY protocol header
 * @param loginsSucceeded successful logins
 * @param loginsFailed failed logins
 * @param messagesRetrieved messages sent in full by {@code RETR}
 * @param octetsRetrieved octets of those messages (POP3 sizes)
 * @param messagesDeleted messages removed at {@code QUIT}
 * @param tlsHandshakesFailed TLS handshakes that failed
 * @param peakQueuedWriteOctets the most octets ever queued for writing on one connection: stays small (a few chunks)
 *     however large the messages are, because the server writes the next chunk only when the previous one was sent
 */
public record Pop3Metrics(int openSessions, long connectionsAccepted, long connectionsRefused, long loginsSucceeded,
                          long loginsFailed, long messagesRetrieved, long octetsRetrieved, long messagesDeleted,
                          long tlsHandshakesFailed, long peakQueuedWriteOctets) {
}
