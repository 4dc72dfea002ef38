package dev.poplar.pop3.server.internal.command;

/** {@code NOOP} (RFC 1939 section 5). */
final class NoopCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        return Replies.NOOP;
    }
}
