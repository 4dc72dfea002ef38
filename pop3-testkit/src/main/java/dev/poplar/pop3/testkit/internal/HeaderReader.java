package dev.poplar.pop3.testkit.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads header fields of a stored message (RFC 5322 section 2.2) and decodes RFC 2047 encoded words. */
public final class HeaderReader {

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?=");
    private static final Pattern BETWEEN_WORDS = Pattern.compile("(\\?=)[ \\t]+(=\\?)");

    private HeaderReader() {
    }

    /**
     * The first field of a name.
     *
     * @param message the message octets
     * @param name the field name, any case
     * @return the unfolded, decoded value, or empty
     */
    public static Optional<String> first(byte[] message, String name) {
        String header = headerSection(message);
        String wanted = name.toLowerCase(Locale.ROOT) + ":";
        String[] lines = header.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).startsWith(wanted)) {
                StringBuilder value = new StringBuilder(lines[i].substring(wanted.length()));
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                        && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    value.append(lines[++i]);
                }
                return Optional.of(decode(value.toString().strip()));
            }
        }
        return Optional.empty();
    }

    private static String headerSection(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int lfEnd = text.indexOf("\n\n");
        if (end < 0 || (lfEnd >= 0 && lfEnd < end)) {
            end = lfEnd;
        }
        String header = end < 0 ? text : text.substring(0, end);
        // Header fields are ASCII or, in practice, UTF-8 (RFC 6532).
        return new String(header.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /**
     * Decodes the encoded words of an unstructured value (RFC 2047 section 6).
     *
     * @param value the raw value
     * @return the decoded text
     */
    static String decode(String value) {
        String joined = BETWEEN_WORDS.matcher(value).replaceAll("$1$2");
        Matcher m = ENCODED_WORD.matcher(joined);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(word(m.group(1), m.group(2), m.group(3), m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String word(String charsetName, String encoding, String text, String whole) {
        try {
            Charset charset = Charset.forName(charsetName.replaceFirst("\\*.*$", ""));
            byte[] bytes;
            if (encoding.equalsIgnoreCase("B")) {
                bytes = Base64.getDecoder().decode(text);
            } else {
                bytes = quoted(text.replace('_', ' '));
            }
            return new String(bytes, charset);
        } catch (IllegalArgumentException e) {
            return whole;
        }
    }

    private static byte[] quoted(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=' && i + 2 < text.length()) {
                out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
