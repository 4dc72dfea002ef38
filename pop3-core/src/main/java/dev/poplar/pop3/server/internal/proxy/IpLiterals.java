package dev.poplar.pop3.server.internal.proxy;

/**
 * Strict parsing of literal IP addresses, without name lookups: IPv4 as four decimal numbers without leading zeros,
 * IPv6 as hexadecimal groups with at most one {@code ::} (the forms the PROXY protocol's section 2.1 prescribes).
 */
final class IpLiterals {

    private IpLiterals() {
    }

    /**
     * Parses a dotted-quad IPv4 address.
     *
     * @param text e.g. {@code 192.0.2.7}
     * @return the 4 octets, or {@code null} if the text is not a canonical IPv4 address
     */
    static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = decimal(parts[i], 3);
            if (value < 0 || value > 255) {
                return null;
            }
            address[i] = (byte) value;
        }
        return address;
    }

    /**
     * Parses an IPv6 address written as hexadecimal groups, at most one {@code ::}, no embedded IPv4 and no zone.
     *
     * @param text e.g. {@code 2001:db8::7}
     * @return the 16 octets, or {@code null} if the text is not such an address
     */
    static byte[] ipv6(String text) {
        if (text.isEmpty() || text.length() > 39) {
            return null;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(gap < 0 ? text : text.substring(0, gap));
        int[] tail = groups(gap < 0 ? "" : text.substring(gap + 2));
        if (head == null || tail == null || (gap < 0 ? head.length != 8 : head.length + tail.length > 7)) {
            return null;
        }
        byte[] address = new byte[16];
        for (int i = 0; i < head.length; i++) {
            address[2 * i] = (byte) (head[i] >> 8);
            address[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 16 - 2 * (tail.length - i);
            address[at] = (byte) (tail[i] >> 8);
            address[at + 1] = (byte) tail[i];
        }
        return address;
    }

    private static int[] groups(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] parts = text.split(":", -1);
        int[] groups = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                int digit = Character.digit(part.charAt(j), 16);
                if (digit < 0) {
                    return null;
                }
                value = value * 16 + digit;
            }
            groups[i] = value;
        }
        return groups;
    }

    /**
     * Parses a decimal number without sign or leading zeros.
     *
     * @param text the digits
     * @param maxDigits the most digits allowed
     * @return the value, or -1 if the text is not such a number
     */
    static int decimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
