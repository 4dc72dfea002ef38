package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.ResponseCode;
import dev.poplar.pop3.store.MessageInfo;

/** Every reply text of the server, in one place. Codes follow RFC 2449 section 8 and RFC 3206. */
public final class Replies {

    /** A reply that comes later, once the store or the authenticator has answered. */
    public static final Reply LATER = Reply.Later.INSTANCE;

    private static final String SYNTAX = "syntax: ";

    public static final Reply UNKNOWN_COMMAND = err("unknown command");
    public static final Reply WRONG_STATE = err("command not valid in this state");
    public static final Reply LINE_TOO_LONG = err("line too long");
    public static final Reply NO_SUCH_MESSAGE = err("no such message");
    public static final Reply ALREADY_DELETED = err("message already deleted");
    public static final Reply INVALID_NUMBER = err("invalid message number");
    public static final Reply MESSAGE_GONE = err("message was removed from the mailbox by another client");
    public static final Reply SEND_PASS = ok("send PASS");
    public static final Reply USER_FIRST = err("send USER first");
    public static final Reply AUTH_FAILED = new Reply.Status(false, ResponseCode.AUTH, "authentication failed");
    public static final Reply PLAINTEXT_DISALLOWED = new Reply.Status(false, ResponseCode.AUTH,
            "plain-text authentication is not allowed on an insecure connection; use STLS or TLS");
    public static final Reply LOGIN_DELAYED = new Reply.Status(false, ResponseCode.LOGIN_DELAY,
            "minimum time between logins not reached");
    public static final Reply AUTH_UNAVAILABLE = new Reply.Status(false, ResponseCode.SYS_TEMP,
            "authentication temporarily unavailable, try again later");
    public static final Reply MAILBOX_IN_USE = new Reply.Status(false, ResponseCode.IN_USE,
            "mailbox is in use by another session");
    public static final Reply STORE_TEMPORARY = new Reply.Status(false, ResponseCode.SYS_TEMP,
            "mailbox temporarily unavailable, try again later");
    public static final Reply STORE_PERMANENT = new Reply.Status(false, ResponseCode.SYS_PERM,
            "mailbox unavailable, contact the administrator");
    public static final Reply INTERNAL_ERROR = new Reply.Status(false, ResponseCode.SYS_TEMP, "internal server error");
    public static final Reply NOOP = ok("");
    public static final Reply BYE = ok("Poplar signing off");
    public static final Reply TOP_FOLLOWS = ok("top of message follows");
    public static final Reply STLS_BEGIN = ok("begin TLS negotiation");
    public static final Reply STLS_ACTIVE = err("TLS is already active");
    public static final Reply STLS_UNAVAILABLE = err("STLS is not available");
    public static final Reply AUTH_ABORTED = err("authentication aborted");
    public static final Reply BAD_BASE64 = err("invalid base64 in SASL response");
    public static final Reply MECHANISM_UNSUPPORTED = err("unsupported authentication mechanism");
    public static final Reply TOO_MANY_CONNECTIONS = new Reply.Status(false, ResponseCode.SYS_TEMP,
            "too many connections, try again later");
    public static final Reply ACCESS_DENIED = new Reply.Status(false, ResponseCode.SYS_PERM,
            "connections from your address are not accepted");
    public static final Reply LOGIN_PENALTY = new Reply.Status(false, ResponseCode.SYS_TEMP,
            "too many failed logins from your address, try again later");
    public static final Reply IDLE_TIMEOUT = err("autologout: idle for too long");
    public static final Reply SHUTTING_DOWN = new Reply.Status(false, ResponseCode.SYS_TEMP, "server shutting down");
    public static final Reply LOGIN_TIMEOUT = err("autologout: no login in time");
    public static final Reply RENEGOTIATION_REFUSED = err("TLS renegotiation is not allowed");

    private Replies() {
    }

    /**
     * The greeting (RFC 1939 section 4), with the APOP timestamp when APOP is offered.
     *
     * @param serverName the configured name
     * @param timestamp the APOP timestamp, or {@code null}
     * @return the greeting
     */
    public static Reply greeting(String serverName, String timestamp) {
        return ok(serverName + " POP3 server ready" + (timestamp == null ? "" : " " + timestamp));
    }

    static Reply ok(String text) {
        return new Reply.Status(true, null, text);
    }

    static Reply err(String text) {
        return new Reply.Status(false, null, text);
    }

    static Reply syntax(String usage) {
        return err(SYNTAX + usage);
    }

    /**
     * Whether a reply says the command was malformed, which counts towards the bad-command limit.
     *
     * @param reply a reply
     * @return {@code true} for syntax errors and invalid message numbers
     */
    static boolean isMalformed(Reply reply) {
        return reply == INVALID_NUMBER || reply instanceof Reply.Status s && s.text().startsWith(SYNTAX);
    }

    static Reply maildrop(int messages, long octets) {
        return ok("maildrop has " + messages + " message" + (messages == 1 ? "" : "s") + " (" + octets + " octets)");
    }

    /**
     * The reply to {@code QUIT} in the TRANSACTION state.
     *
     * @param deleted messages removed
     * @param notRemoved messages that could not be removed
     * @return the reply
     */
    public static Reply signOff(int deleted, int notRemoved) {
        if (notRemoved > 0) {
            return new Reply.Status(false, ResponseCode.SYS_TEMP, "some deleted messages not removed (" + notRemoved
                    + " of " + (deleted + notRemoved) + ")");
        }
        return ok("Poplar signing off (" + deleted + " message" + (deleted == 1 ? "" : "s") + " deleted)");
    }

    /**
     * The reply to a successful login.
     *
     * @param messages messages in the maildrop
     * @param octets their total size
     * @return the reply
     */
    public static Reply loggedIn(int messages, long octets) {
        return maildrop(messages, octets);
    }

    /**
     * The reply to {@code RETR}: the whole message.
     *
     * @param number the message number
     * @param message the message
     * @param octets its size as the maildrop listing gives it
     * @param source opens its content
     * @return the reply
     */
    public static Reply.Content retrieve(int number, MessageInfo message, long octets, Reply.Source source) {
        return new Reply.Content(octets + " octets", number, message, -1, source);
    }
}
