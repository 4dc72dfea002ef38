package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.store.StoreException;

/** One POP3 command. Stateless; the session state lives in the {@link SessionContext}. */
interface Command {

    /**
     * Runs the command. Called on a worker thread; may block on the store or authenticator.
     *
     * @param session the session
     * @param argument everything after the keyword and one space, unparsed; empty if none
     * @return the reply
     * @throws StoreException if the store failed; the dispatcher maps it to a response code
     */
    Reply execute(SessionContext session, String argument) throws StoreException;
}
