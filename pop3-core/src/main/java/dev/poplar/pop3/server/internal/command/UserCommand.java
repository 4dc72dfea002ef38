package dev.poplar.pop3.server.internal.command;

/** {@code USER name} (RFC 1939 section 7). Always {@code +OK}: whether the user exists is not revealed. */
final class UserCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        if (!session.plaintextAllowed()) {
            return Replies.PLAINTEXT_DISALLOWED;
        }
        String name = argument.trim();
        if (name.isEmpty()) {
            return Replies.syntax("USER name");
        }
        session.pendingUser(name);
        return Replies.SEND_PASS;
    }
}
