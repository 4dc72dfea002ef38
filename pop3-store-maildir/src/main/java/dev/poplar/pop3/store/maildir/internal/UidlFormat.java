package dev.poplar.pop3.store.maildir.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Dovecot's {@code pop3_uidl_format}: how Dovecot makes a POP3 UIDL from a message's IMAP UID, the mailbox's
 * UIDVALIDITY and the message's file name, so that this store can present the same UIDLs.
 *
 * <p>The template is text with variables: {@code %u} (the IMAP UID), {@code %v} (the UIDVALIDITY), {@code %f} (the
 * base file name, the part before {@code :}), {@code %g} (the message's GUID from the uidlist, else the base file
 * name), and {@code %%} for a {@code %}. Between {@code %} and the variable, as in Dovecot: a width, which pads with
 * zeros to at least that many characters when it starts with {@code 0} and otherwise cuts the value to that many; then
 * any of the modifiers {@code X} (the number in lower-case hexadecimal, as Dovecot writes it), {@code U} (upper case)
 * and {@code L} (lower case). Dovecot's default is {@code %08Xu%08Xv}. The MD5 of the headers ({@code %m}) is not
 * offered: it would mean reading every message.
 */
public final class UidlFormat {

    /** Dovecot's default {@code pop3_uidl_format}. */
    public static final String DOVECOT_DEFAULT = "%08Xu%08Xv";

    private final String template;
    private final List<Part> parts;

    private UidlFormat(String template, List<Part> parts) {
        this.template = template;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @param template the template, as in Dovecot's configuration
     * @return the format
     * @throws IllegalArgumentException if the template is empty, ends inside a variable, or uses a variable or
     *     modifier that is not offered
     */
    public static UidlFormat parse(String template) {
        if (template.isEmpty()) {
            throw new IllegalArgumentException("the UIDL format is empty");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                literal.append(c);
                continue;
            }
            int start = i;
            if (++i >= template.length()) {
                throw new IllegalArgumentException("the UIDL format ends with a lone '%': " + template);
            }
            if (template.charAt(i) == '%') {
                literal.append('%');
                continue;
            }
            boolean zeros = template.charAt(i) == '0';
            int width = 0;
            while (i < template.length() && Character.isDigit(template.charAt(i))) {
                width = width * 10 + (template.charAt(i) - '0');
                if (width > 70) {
                    throw new IllegalArgumentException("a width over 70 in the UIDL format: " + template);
                }
                i++;
            }
            boolean hex = false;
            Character caseTo = null;
            for (; i < template.length() && "XUL".indexOf(template.charAt(i)) >= 0; i++) {
                switch (template.charAt(i)) {
                    case 'X' -> hex = true;
                    case 'U' -> caseTo = 'U';
                    default -> caseTo = 'L';
                }
            }
            if (i >= template.length()) {
                throw new IllegalArgumentException("the UIDL format ends inside a variable: " + template);
            }
            char variable = template.charAt(i);
            if ("uvfg".indexOf(variable) < 0) {
                throw new IllegalArgumentException("the UIDL format uses " + template.substring(start, i + 1)
                        + "; only %u, %v, %f and %g (with a width and X, U, L) are offered: " + template);
            }
            if (hex && (variable == 'f' || variable == 'g')) {
                throw new IllegalArgumentException("X applies to numbers (%u, %v), not to %" + variable + ": "
                        + template);
            }
            if (!literal.isEmpty()) {
                parts.add(new Part(literal.toString(), ' ', false, 0, false, null));
                literal.setLength(0);
            }
            parts.add(new Part(null, variable, zeros, width, hex, caseTo));
        }
        if (!literal.isEmpty()) {
            parts.add(new Part(literal.toString(), ' ', false, 0, false, null));
        }
        return new UidlFormat(template, List.copyOf(parts));
    }

    /**
     * Makes the UIDL of a message.
     *
     * @param uid the IMAP UID
     * @param uidValidity the UIDVALIDITY
     * @param base the base file name
     * @param guid the GUID, or {@code null} to use the base file name
     * @return the UIDL (not checked against RFC 1939's rules)
     */
    public String format(long uid, long uidValidity, String base, String guid) {
        StringBuilder out = new StringBuilder(32);
        for (Part part : parts) {
            if (part.literal != null) {
                out.append(part.literal);
                continue;
            }
            String value = switch (part.variable) {
                case 'u' -> part.hex ? Long.toHexString(uid) : Long.toString(uid);
                case 'v' -> part.hex ? Long.toHexString(uidValidity) : Long.toString(uidValidity);
                case 'f' -> base;
                default -> guid == null ? base : guid;
            };
            if (part.caseTo != null) {
                value = part.caseTo == 'U' ? value.toUpperCase(Locale.ROOT) : value.toLowerCase(Locale.ROOT);
            }
            if (part.zeros) {
                out.append("0".repeat(Math.max(0, part.width - value.length()))).append(value);
            } else if (part.width > 0 && value.length() > part.width) {
                out.append(value, 0, part.width);
            } else {
                out.append(value);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return template;
    }

    private record Part(String literal, char variable, boolean zeros, int width, boolean hex, Character caseTo) {
    }
}
