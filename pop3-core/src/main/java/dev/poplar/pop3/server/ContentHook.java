package dev.poplar.pop3.server;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.store.MessageInfo;

import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Sees every message on its way to a client ({@code RETR} and {@code TOP}) and decides what goes out: the message as
 * it is, the message with header lines added before its first line (a stamp naming the user and the time), the message
 * transformed as a stream (a watermark), or nothing but an {@code -ERR} with a response code (a refusal).
 *
 * <p><b>Streaming.</b> The server reads the message's header ahead, up to {@link MessageHeader#LIMIT} octets, and
 * asks {@link #decide} with it; then it streams the message through the decision in bounded chunks, never holding it
 * whole. A {@link Transform#body() transform} gets the message as a channel and returns the channel the server reads:
 * it must work on it chunk by chunk too.
 *
 * <p><b>Sizes.</b> {@code LIST}, {@code STAT}, the login reply and the {@code RETR} status line state the size of a
 * message, and must match what {@code RETR} sends (RFC 1939 section 5). A hook that changes sizes declares by how much
 * in {@link #sizeChange}: the server asks it for every message at login and reports the changed sizes throughout the
 * session. A decision must then change the message by exactly that much (in POP3 octets: lines ended by CRLF, before
 * dot-stuffing): a header line of {@code n} octets in UTF-8 adds {@code n + 2}. So a stamp whose length depends on
 * the time uses a fixed-width format (e.g. {@code Instant.truncatedTo(ChronoUnit.SECONDS)}, always 20 characters). The
 * server counts what {@code RETR} of a transformed message actually sent and logs a warning when it differs from the
 * declared size; it cannot correct it, since the status line went first.
 *
 * <p><b>Threads.</b> {@link #decide} and the reads of a transformed channel run where the message content is read: on
 * a worker thread when the store's content may block or {@link #mayBlock()} says that this hook may (the default),
 * else on the connection's network I/O thread, where they must never wait. {@link #sizeChange} runs with the login,
 * where the store's listing is read (a worker when opening may block). Many sessions call a hook at once: it must be
 * thread-safe.
 *
 * <p><b>Failures.</b> A {@code RuntimeException} from {@link #decide} (or an invalid decision) is logged and answered
 * {@code -ERR [SYS/TEMP]}, and the session goes on; from {@link #sizeChange}, the login fails with
 * {@code -ERR [SYS/TEMP]}; from reading a transformed channel once part of the message was sent, the connection
 * closes (the client cannot be told), and nothing is deleted.
 */
public interface ContentHook {

    /**
     * Decides what to send for one message.
     *
     * @param request who retrieves which message, and its header
     * @return the decision
     */
    Decision decide(Request request);

    /**
     * By how many octets the decisions of this hook change a message for a recipient: added to the size the store
     * reports, in {@code LIST}, {@code STAT}, the login reply and the {@code RETR} status line. Called for every
     * message at login; it must be fast (no I/O per message). The default, 0, is right for hooks that only pass or
     * refuse.
     *
     * @param recipient who logged in
     * @param message a message of the mailbox, with the size the store reports
     * @return the change in octets; the changed size must not be negative
     */
    default long sizeChange(Recipient recipient, MessageInfo message) {
        return 0;
    }

    /**
     * Whether {@link #decide} or reading a transformed channel may block (a directory lookup, a remote call). A hook
     * that never waits answers {@code false}, and with a store that does not block either, content is read on the
     * network I/O thread without a hand-off.
     *
     * @return {@code true} (the default) if it may block
     */
    default boolean mayBlock() {
        return true;
    }

    /**
     * Who retrieves messages in a session.
     *
     * @param user the user name as logged in
     * @param mailbox the mailbox the authenticator gave the user
     * @param client the connection
     */
    public record Recipient(String user, String mailbox, ClientInfo client) {
        /**
         * Validates the fields.
         *
         * @param user the user name as logged in
         * @param mailbox the mailbox the authenticator gave the user
         * @param client the connection
         * @throws NullPointerException if any is null
         */
        public Recipient {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(mailbox, "mailbox");
            Objects.requireNonNull(client, "client");
        }
    }

    /**
     * One message about to be sent.
     *
     * @param recipient who retrieves it
     * @param message the message, with the size the store reports
     * @param verb {@link Verb#RETR} or {@link Verb#TOP}
     * @param header its header, read ahead
     */
    public record Request(Recipient recipient, MessageInfo message, Verb verb, MessageHeader header) {
        /**
         * Validates the fields.
         *
         * @param recipient who retrieves it
         * @param message the message
         * @param verb {@link Verb#RETR} or {@link Verb#TOP}
         * @param header its header
         * @throws NullPointerException if any is null
         */
        public Request {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(header, "header");
        }
    }

    /** What to send for a message: {@link #pass()}, {@link #refuse}, {@link #prepend} or {@link #transform}. */
    public sealed interface Decision permits Pass, Refuse, Transform {

        /**
         * Sends the message as it is.
         *
         * @return the decision
         */
        static Decision pass() {
            return Pass.INSTANCE;
        }

        /**
         * Sends {@code -ERR [code] text} instead of the message; the session goes on.
         *
         * @param code the response code, or {@code null} for a plain {@code -ERR}
         * @param text the text for the client: printable ASCII
         * @return the decision
         * @throws IllegalArgumentException if the text is empty or not printable ASCII
         */
        static Decision refuse(ResponseCode code, String text) {
            return new Refuse(Optional.ofNullable(code), text);
        }

        /**
         * Sends the message with header lines inserted before its first line.
         *
         * @param headerLines whole header lines without line ends, e.g. {@code X-Retrieved-By: alice}
         * @return the decision
         * @throws IllegalArgumentException if a line is empty or holds CR, LF or NUL
         */
        static Decision prepend(List<String> headerLines) {
            return new Transform(headerLines, UnaryOperator.identity());
        }

        /**
         * Sends the message as a transform of its stream makes it.
         *
         * @param body gets the message as stored (LF or CRLF line ends, from its first octet) and returns what to
         *     send; the server converts line ends and dot-stuffs it, reads it to its end and closes it
         * @return the decision
         */
        static Decision transform(UnaryOperator<ReadableByteChannel> body) {
            return new Transform(List.of(), body);
        }
    }

    /** Send the message as it is. */
    public enum Pass implements Decision {
        /** The only instance. */
        INSTANCE
    }

    /**
     * Send {@code -ERR} instead of the message.
     *
     * @param code the response code, if any
     * @param text the text for the client
     */
    public record Refuse(Optional<ResponseCode> code, String text) implements Decision {
        /**
         * Validates the fields.
         *
         * @param code the response code, if any
         * @param text the text for the client: printable ASCII, not empty
         * @throws IllegalArgumentException if the text is empty or not printable ASCII
         * @throws NullPointerException if any is null
         */
        public Refuse {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(text, "text");
            if (text.isEmpty() || !text.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
                throw new IllegalArgumentException("refusal text must be printable ASCII: " + text);
            }
        }
    }

    /**
     * Send the message changed: header lines first, then the stored message through a transform.
     *
     * @param headerLines lines inserted before the message's first line, without line ends
     * @param body transforms the stored message (its first octet on); {@code UnaryOperator.identity()} for none
     */
    public record Transform(List<String> headerLines, UnaryOperator<ReadableByteChannel> body) implements Decision {
        /**
         * Validates and copies the fields.
         *
         * @param headerLines lines inserted before the message's first line, without line ends
         * @param body transforms the stored message
         * @throws IllegalArgumentException if a line is empty or holds CR, LF or NUL
         * @throws NullPointerException if any is null
         */
        public Transform {
            headerLines = List.copyOf(headerLines);
            Objects.requireNonNull(body, "body");
            for (String line : headerLines) {
                if (line.isEmpty() || line.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                    throw new IllegalArgumentException("a header line must not be empty or hold CR, LF or NUL: "
                            + line.replace("\r", "\\r").replace("\n", "\\n"));
                }
            }
        }
    }
}
