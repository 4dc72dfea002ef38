package dev.poplar.pop3.testkit.internal;

import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes a MIME message (RFC 5322, RFC 2045-2047, RFC 2231) with CRLF line ends: text in 7bit when it is short-lined
 * ASCII and quoted-printable otherwise, attachments in base64. Optionally pads the message to an exact POP3 size with
 * lines of {@code x} at its very end (after the last boundary of a multipart message, where readers ignore them).
 */
public final class MimeWriter {

    private static final int MAX_7BIT_LINE = 998;
    private static final int PADDING_LINE = 78;

    /**
     * One attachment.
     *
     * @param fileName the file name
     * @param contentType the MIME type, or {@code null} to guess it from the name
     * @param content the octets
     */
    public record Attachment(String fileName, String contentType, byte[] content) {
    }

    private MimeWriter() {
    }

    /**
     * Writes a message.
     *
     * @param headers header fields in order, values unencoded (non-ASCII values become encoded words)
     * @param text the plain text body, or {@code null}
     * @param html the HTML body, or {@code null}
     * @param attachments the attachments
     * @param padding octets of padding at the end: 0, or at least 2
     * @param boundarySeed makes the boundaries of this message unique
     * @return the octets
     */
    public static byte[] write(List<Map.Entry<String, String>> headers, String text, String html,
                               List<Attachment> attachments, long padding, String boundarySeed) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> h : headers) {
            out.append(h.getKey()).append(": ").append(encodeWord(h.getValue())).append("\r\n");
        }
        out.append("MIME-Version: 1.0\r\n");
        List<String> parts = new ArrayList<>();
        if (text != null && html != null) {
            String boundary = "=_alt_" + boundarySeed;
            parts.add("Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n"
                    + multipart(boundary, List.of(textPart("plain", text), textPart("html", html))));
        } else if (text != null || html != null) {
            parts.add(text != null ? textPart("plain", text) : textPart("html", html));
        } else {
            parts.add(textPart("plain", ""));
        }
        for (Attachment a : attachments) {
            parts.add(attachmentPart(a));
        }
        if (parts.size() == 1) {
            out.append(parts.get(0));
        } else {
            String boundary = "=_mixed_" + boundarySeed;
            out.append("Content-Type: multipart/mixed; boundary=\"").append(boundary).append("\"\r\n\r\n")
                    .append(multipart(boundary, parts));
        }
        out.append(padding(padding));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String multipart(String boundary, List<String> parts) {
        StringBuilder out = new StringBuilder("This is a multi-part message in MIME format.\r\n");
        for (String part : parts) {
            out.append("\r\n--").append(boundary).append("\r\n").append(part);
            if (!part.endsWith("\r\n")) {
                out.append("\r\n");
            }
        }
        return out.append("\r\n--").append(boundary).append("--\r\n").toString();
    }

    private static String textPart(String subtype, String text) {
        String crlf = text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
        if (!crlf.isEmpty() && !crlf.endsWith("\r\n")) {
            crlf += "\r\n";
        }
        boolean sevenBit = crlf.chars().allMatch(c -> c < 0x80 && c != 0)
                && crlf.lines().allMatch(l -> l.length() <= MAX_7BIT_LINE);
        String header = "Content-Type: text/" + subtype + "; charset=" + (sevenBit ? "us-ascii" : "UTF-8") + "\r\n"
                + "Content-Transfer-Encoding: " + (sevenBit ? "7bit" : "quoted-printable") + "\r\n\r\n";
        return header + (sevenBit ? crlf : quotedPrintable(crlf));
    }

    private static String attachmentPart(Attachment a) {
        String type = a.contentType() != null ? a.contentType()
                : URLConnection.guessContentTypeFromName(a.fileName());
        if (type == null) {
            type = "application/octet-stream";
        }
        String name = a.fileName();
        boolean plainName = name.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\');
        String param = plainName ? "filename=\"" + name + "\"" : "filename*=UTF-8''" + percentEncode(name);
        String base64 = Base64.getMimeEncoder().encodeToString(a.content());
        return "Content-Type: " + type + "\r\n"
                + "Content-Disposition: attachment; " + param + "\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + base64 + (base64.isEmpty() ? "" : "\r\n");
    }

    /**
     * Padding lines of exactly this many octets, CRLF included.
     *
     * @param octets 0 or at least 2
     * @return the lines
     */
    static String padding(long octets) {
        if (octets == 0) {
            return "";
        }
        if (octets < 2) {
            throw new IllegalArgumentException("padding needs 0 or at least 2 octets: " + octets);
        }
        long lines = (octets + PADDING_LINE - 1) / PADDING_LINE;
        long base = octets / lines;
        long longer = octets % lines;
        StringBuilder out = new StringBuilder((int) Math.min(Integer.MAX_VALUE, octets));
        for (long i = 0; i < lines; i++) {
            long length = base + (i < longer ? 1 : 0);
            out.append("x".repeat((int) (length - 2))).append("\r\n");
        }
        return out.toString();
    }

    /**
     * An unstructured header value, as RFC 2047 encoded words when it is not ASCII.
     *
     * @param value the value
     * @return the value to write
     */
    static String encodeWord(String value) {
        if (value.chars().allMatch(c -> c >= 0x20 && c < 0x7F || c == '\t')) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            // Up to 45 octets per word keeps every encoded word within 75 characters (RFC 2047 section 2).
            int end = i;
            int octets = 0;
            while (end < value.length()) {
                int cp = value.codePointAt(end);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (octets + n > 45) {
                    break;
                }
                octets += n;
                end += Character.charCount(cp);
            }
            if (out.length() > 0) {
                out.append("\r\n ");
            }
            out.append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(
                    value.substring(i, end).getBytes(StandardCharsets.UTF_8))).append("?=");
            i = end;
        }
        return out.toString();
    }

    private static String quotedPrintable(String crlfText) {
        StringBuilder out = new StringBuilder();
        for (String line : crlfText.split("\r\n", -1)) {
            StringBuilder encoded = new StringBuilder();
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            int column = 0;
            for (int i = 0; i < bytes.length; i++) {
                int b = bytes[i] & 0xFF;
                boolean last = i == bytes.length - 1;
                String token = (b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !last)
                        ? String.valueOf((char) b) : String.format("=%02X", b);
                if (column + token.length() > 75) {
                    encoded.append("=\r\n");
                    column = 0;
                }
                encoded.append(token);
                column += token.length();
            }
            out.append(encoded).append("\r\n");
        }
        // split(-1) yields a last empty element for text ending in CRLF: drop its line end.
        return out.substring(0, out.length() - 2);
    }

    private static String percentEncode(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (Character.isLetterOrDigit(c) && c < 0x80 || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append(String.format("%%%02X", c));
            }
        }
        return out.toString();
    }
}
