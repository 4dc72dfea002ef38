package dev.poplar.pop3.server.interop;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Messages that trip up POP3 implementations, with the octets a client must receive for each. */
final class TrickyMessages {

    private TrickyMessages() {
    }

    /** @return name to stored octets, in mailbox order */
    static Map<String, byte[]> stored() {
        Map<String, byte[]> messages = new LinkedHashMap<>();
        messages.put("dot-line", "Subject: dot\r\n\r\nbefore\r\n.\r\nafter\r\n".getBytes(StandardCharsets.US_ASCII));
        messages.put("dot-starts", "Subject: dots\r\n\r\n.hidden\r\n..two\r\n. space\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        messages.put("empty-body", "Subject: empty\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        messages.put("bare-lf", "Subject: lf\n\nline one\nline two\n".getBytes(StandardCharsets.US_ASCII));
        messages.put("utf8", ("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nFrom: Jürgen <j@example.org>\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Grüße aus Köln, 東京, 🙂\r\n").getBytes(StandardCharsets.UTF_8));
        messages.put("no-final-newline", "Subject: nofinal\r\n\r\nlast line".getBytes(StandardCharsets.US_ASCII));
        messages.put("large", large(5 * 1024 * 1024));
        return messages;
    }

    static byte[] large(int size) {
        StringBuilder s = new StringBuilder("Subject: large\r\n\r\n");
        int line = 0;
        while (s.length() < size) {
            s.append(line % 10 == 0 ? "." : "").append("line ").append(line++).append(' ')
                    .append("0123456789abcdefghijklmnopqrstuvwxyz".repeat(2)).append("\r\n");
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The message as a client sees it after un-stuffing: CRLF line ends, a final CRLF. */
    static byte[] received(byte[] stored) {
        String s = new String(stored, StandardCharsets.ISO_8859_1).replaceAll("(?<!\r)\n", "\r\n");
        if (!s.isEmpty() && !s.endsWith("\r\n")) {
            s += "\r\n";
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
