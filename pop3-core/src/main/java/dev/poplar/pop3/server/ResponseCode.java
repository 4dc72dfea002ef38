package dev.poplar.pop3.server;

/**
 * The extended response codes the server sends in brackets after {@code -ERR} (RFC 2449 section 8, RFC 3206), so
 * that clients can tell a wrong password from a locked mailbox from a server problem.
 */
public enum ResponseCode {
    /** {@code [SYS/TEMP]}: a temporary problem; the client may retry later (RFC 3206). */
    SYS_TEMP("SYS/TEMP", "temporary failure, try again later"),
    /** {@code [SYS/PERM]}: a permanent problem that needs an administrator (RFC 3206). */
    SYS_PERM("SYS/PERM", "permanent failure, contact the administrator"),
    /** {@code [IN-USE]}: the maildrop is locked by another session (RFC 2449 section 8.1.1). */
    IN_USE("IN-USE", "mailbox is in use by another session"),
    /** {@code [LOGIN-DELAY]}: the user logged in too recently (RFC 2449 section 8.1.2). */
    LOGIN_DELAY("LOGIN-DELAY", "minimum time between logins not reached"),
    /** {@code [AUTH]}: the credentials are at fault (RFC 3206). */
    AUTH("AUTH", "authentication failed");

    private final String code;
    private final String text;

    ResponseCode(String code, String text) {
        this.code = code;
        this.text = text;
    }

    /**
     * The code as it appears on the wire, without brackets.
     *
     * @return e.g. {@code SYS/TEMP}
     */
    public String code() {
        return code;
    }

    /**
     * The status line with this code and a standard text.
     *
     * @return e.g. {@code -ERR [SYS/TEMP] temporary failure, try again later}
     */
    public String statusLine() {
        return statusLine(text);
    }

    /**
     * The status line with this code and a text.
     *
     * @param text the human-readable text
     * @return e.g. {@code -ERR [IN-USE] text}
     */
    public String statusLine(String text) {
        return "-ERR [" + code + "] " + text;
    }
}
