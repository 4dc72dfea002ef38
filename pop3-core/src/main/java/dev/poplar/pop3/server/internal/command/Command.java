package dev.poplar.pop3.server.internal.command;

/** One POP3 command. Stateless; the session state lives in the {@link SessionContext}. */
interface Command {

    /**
     * Runs the command on the session thread. Never blocks: calls to the store or the authenticator go through the
     * session, which answers {@link Replies#LATER} and sends the reply when they return.
     *
     * @param session the session
     * @param argument everything after the keyword and one space, unparsed; empty if none
     * @return the reply
     */
    Reply execute(SessionContext session, String argument);
}
