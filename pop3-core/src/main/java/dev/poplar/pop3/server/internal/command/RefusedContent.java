package dev.poplar.pop3.server.internal.command;

/**
 * A message is not sent: the content hook refused it, or failed. Carries the reply to send instead; already logged.
 */
public final class RefusedContent extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Reply reply;

    /**
     * Creates the refusal.
     *
     * @param reply the reply to send instead of the message
     * @param why for stack traces
     */
    public RefusedContent(Reply reply, String why) {
        super(why, null, false, false);
        this.reply = reply;
    }

    /** @return the reply to send instead of the message */
    public Reply reply() {
        return reply;
    }
}
