package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.auth.Credentials;

/** {@code APOP name digest} (RFC 1939 section 7), offered only when the authenticator can verify it. */
final class ApopCommand implements Command {
    @Override
    public Reply execute(SessionContext session, String argument) {
        String timestamp = session.apopTimestamp();
        if (timestamp == null) {
            return Replies.MECHANISM_UNSUPPORTED;
        }
        String[] words = Args.words(argument);
        if (words.length != 2 || !words[1].matches("[0-9a-fA-F]{32}")) {
            return Replies.syntax("APOP name digest");
        }
        return session.login(new Credentials.Apop(words[0], timestamp, words[1]), "APOP");
    }
}
