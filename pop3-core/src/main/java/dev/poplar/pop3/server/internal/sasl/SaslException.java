package dev.poplar.pop3.server.internal.sasl;

/** A malformed SASL response. The message is for the log, never for the client. */
public final class SaslException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The user name, if the response revealed one before it went wrong. */
    private final String username;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, for the log
     * @param username the user name if known, else an empty string
     */
    public SaslException(String message, String username) {
        super(message);
        this.username = username;
    }

    /**
     * The user name the response named, if any.
     *
     * @return the user name or an empty string
     */
    public String username() {
        return username;
    }
}
