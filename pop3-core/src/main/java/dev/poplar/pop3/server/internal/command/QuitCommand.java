package dev.poplar.pop3.server.internal.command;

/** {@code QUIT} (RFC 1939 sections 5 and 6): in TRANSACTION, enter UPDATE and remove the deleted messages. */
final class QuitCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        return session.quit();
    }
}
