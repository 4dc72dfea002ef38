package dev.poplar.pop3.server.internal;

/**
 * Makes client-controlled text safe to log: a log line must never be forged by what a client sends (a line feed in a
 * user name writing a fake line for fail2ban to read, an escape sequence rewriting a terminal) nor be made huge.
 * Control characters, line and paragraph separators, bidirectional overrides and backslashes are escaped; the text is
 * cut at {@value #MAX_CHARS} characters.
 */
public final class LogSafe {

    /** The most characters of client text a log line carries. */
    public static final int MAX_CHARS = 160;

    private LogSafe() {
    }

    /**
     * Escapes and shortens client text for a log line.
     *
     * @param text the text, or {@code null}
     * @return the text as it may be logged
     */
    public static String text(String text) {
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), MAX_CHARS);
        StringBuilder safe = null;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (needsEscape(c)) {
                if (safe == null) {
                    safe = new StringBuilder(end + 16).append(text, 0, i);
                }
                escape(safe, c);
            } else if (safe != null) {
                safe.append(c);
            }
        }
        String result = safe == null ? text.substring(0, end) : safe.toString();
        return end < text.length() ? result + "...(" + (text.length() - end) + " more)" : result;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7F || c == '\\' || (c >= 0x80 && c <= 0x9F)
                || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || c == 0xFEFF;
    }

    private static void escape(StringBuilder out, char c) {
        switch (c) {
            case '\r' -> out.append("\\r");
            case '\n' -> out.append("\\n");
            case '\t' -> out.append("\\t");
            case '\\' -> out.append("\\\\");
            default -> out.append(String.format("\\u%04x", (int) c));
        }
    }
}
