package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.server.ResponseCode;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

/** What a command answers. Commands build replies; the session has them sent. */
public sealed interface Reply {

    /**
     * The status line of the reply, as sent.
     *
     * @return e.g. {@code +OK 2 messages} or {@code -ERR [AUTH] ...}
     */
    String statusLine();

    /**
     * The status line as sent: its octets in UTF-8 with the CRLF.
     *
     * @return a new array, which the caller owns
     */
    default byte[] statusLineOctets() {
        return (statusLine() + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A single-line reply.
     *
     * @param ok positive or negative
     * @param code the response code (RFC 2449 section 8), or {@code null}
     * @param text the human-readable text
     */
    record Status(boolean ok, ResponseCode code, String text) implements Reply {
        @Override
        public String statusLine() {
            return line(0).toString();
        }

        @Override
        public byte[] statusLineOctets() {
            return line(2).append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
        }

        /** The status line in a builder sized for it and {@code spare} more characters. */
        private StringBuilder line(int spare) {
            int length = 4 + (code == null ? 0 : code.code().length() + 3) + 1 + text.length() + spare;
            StringBuilder line = new StringBuilder(length).append(ok ? "+OK" : "-ERR");
            if (code != null) {
                line.append(" [").append(code.code()).append(']');
            }
            if (!text.isEmpty()) {
                line.append(' ').append(text);
            }
            return line;
        }
    }

    /**
     * A multi-line reply of generated lines ({@code CAPA}, {@code LIST}, {@code UIDL}), produced lazily so that a
     * listing of 100,000 messages is never held whole.
     *
     * @param status the positive status text
     * @param lines the lines, without line ends; dot-stuffed by the writer
     */
    record Lines(String status, Iterator<String> lines) implements Reply {
        @Override
        public String statusLine() {
            return "+OK" + (status.isEmpty() ? "" : " " + status);
        }
    }

    /**
     * A message, streamed ({@code RETR}, {@code TOP}). Its content is opened only when the reply is sent.
     *
     * @param status the positive status text
     * @param number the message number
     * @param message the message
     * @param bodyLines for {@code TOP} the body lines to send, -1 for the whole message
     * @param source opens the content
     */
    record Content(String status, int number, MessageInfo message, long bodyLines, Source source) implements Reply {
        @Override
        public String statusLine() {
            return "+OK " + status;
        }
    }

    /** Where a {@link Content} reply's octets come from. */
    interface Source {
        /**
         * Opens the content; the sender closes it.
         *
         * @return the content
         * @throws StoreException if it cannot be opened
         * @throws RefusedContent if the content hook refused the message
         */
        MessageContent open() throws StoreException, RefusedContent;

        /** @return whether opening and reading the content may block */
        boolean mayBlock();

        /**
         * Told on the session thread once {@link #open()} has returned (or thrown), wherever it ran.
         *
         * @param failure what it threw, or {@code null}
         */
        default void opened(Exception failure) {
        }
    }

    /**
     * A reply given verbatim (by a session hook): a status line, and body lines if multi-line.
     *
     * @param statusLine the status line as sent
     * @param lines the body lines
     * @param multiLine whether the reply is multi-line
     */
    record Verbatim(String statusLine, List<String> lines, boolean multiLine) implements Reply {
    }

    /**
     * A SASL server challenge (RFC 5034 section 4): {@code +} and a space, then base64.
     *
     * @param base64 the encoded challenge, empty for an empty challenge
     */
    record Challenge(String base64) implements Reply {
        @Override
        public String statusLine() {
            return "+ " + base64;
        }
    }

    /** Not a reply yet: the session answers when a call to the store or authenticator has returned. */
    enum Later implements Reply {
        /** The only instance. */
        INSTANCE;

        @Override
        public String statusLine() {
            throw new IllegalStateException("a deferred reply has no status line yet");
        }
    }
}
