package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.auth.Credentials;

/**
 * {@code PASS string} (RFC 1939 section 7). The whole rest of the line is the password: RFC 1939 allows spaces in it.
 */
final class PassCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        String user = session.pendingUser();
        if (user == null) {
            return Replies.USER_FIRST;
        }
        if (!session.plaintextAllowed()) {
            return Replies.PLAINTEXT_DISALLOWED;
        }
        if (argument.isEmpty()) {
            return Replies.syntax("PASS password");
        }
        session.pendingUser(null);
        return session.login(new Credentials.Password(user, argument), "USER");
    }
}
