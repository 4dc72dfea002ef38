package dev.poplar.pop3.server.internal.command;

/** {@code STLS} (RFC 2595 section 4): only before login, only once, only when TLS is configured. */
final class StlsCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        if (!argument.isBlank()) {
            return Replies.syntax("STLS");
        }
        if (session.secure()) {
            return Replies.STLS_ACTIVE;
        }
        if (!session.stlsAvailable()) {
            return Replies.STLS_UNAVAILABLE;
        }
        session.startTlsAfterReply();
        return Replies.STLS_BEGIN;
    }
}
