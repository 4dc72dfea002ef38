package dev.poplar.pop3.server.internal.command;

import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;

import java.util.Iterator;

/** What a command answers. Commands build replies; the session writes them. */
public sealed interface Reply {

    /**
     * The status line of the reply, as sent.
     *
     * @return e.g. {@code +OK 2 messages} or {@code -ERR [AUTH] ...}
     */
    String statusLine();

    /**
     * A single-line reply.
     *
     * @param ok positive or negative
     * @param code the response code without brackets (RFC 2449 section 8), or {@code null}
     * @param text the human-readable text
     */
    record Status(boolean ok, String code, String text) implements Reply {
        @Override
        public String statusLine() {
            StringBuilder line = new StringBuilder(ok ? "+OK" : "-ERR");
            if (code != null) {
                line.append(" [").append(code).append(']');
            }
            if (!text.isEmpty()) {
                line.append(' ').append(text);
            }
            return line.toString();
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
     * A message, streamed ({@code RETR}, {@code TOP}).
     *
     * @param status the positive status text
     * @param number the message number
     * @param message the message
     * @param content its content, open; the writer closes it
     * @param bodyLines for {@code TOP} the body lines to send, -1 for the whole message
     */
    record Content(String status, int number, MessageInfo message, MessageContent content, long bodyLines)
            implements Reply {
        @Override
        public String statusLine() {
            return "+OK " + status;
        }
    }

    /**
     * A reply given verbatim (by an interceptor): a status line, and body lines if multi-line.
     *
     * @param statusLine the status line as sent
     * @param lines the body lines
     * @param multiLine whether the reply is multi-line
     */
    record Verbatim(String statusLine, java.util.List<String> lines, boolean multiLine) implements Reply {
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
}
