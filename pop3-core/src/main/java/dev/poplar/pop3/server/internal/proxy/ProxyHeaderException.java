package dev.poplar.pop3.server.internal.proxy;

/** A PROXY protocol header is malformed, truncated, too long or not a header at all. The message says which. */
public final class ProxyHeaderException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, for the log
     */
    public ProxyHeaderException(String message) {
        super(message);
    }
}
