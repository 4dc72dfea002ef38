package dev.poplar.pop3.server.internal.command;

/** Parsing of command arguments (RFC 1939 section 3: arguments separated by single spaces; we tolerate more). */
final class Args {

    /** A message number that is syntactically wrong. */
    static final int INVALID = -1;

    private Args() {
    }

    /**
     * Splits an argument string on spaces.
     *
     * @param argument the argument string
     * @return the words; empty for a blank string
     */
    static String[] words(String argument) {
        // As argument.trim().split(" +"), without compiling that pattern at every command.
        String trimmed = argument.trim();
        if (trimmed.isEmpty()) {
            return new String[0];
        }
        int count = 1;
        for (int i = 1; i < trimmed.length(); i++) {
            if (trimmed.charAt(i) == ' ' && trimmed.charAt(i - 1) != ' ') {
                count++;
            }
        }
        String[] words = new String[count];
        int start = 0;
        int n = 0;
        for (int i = 0; i <= trimmed.length(); i++) {
            if (i == trimmed.length() || trimmed.charAt(i) == ' ') {
                if (i > start) {
                    words[n++] = trimmed.substring(start, i);
                }
                start = i + 1;
            }
        }
        return words;
    }

    /**
     * Parses a non-negative decimal number; huge numbers saturate (they name no message anyway).
     *
     * @param word the word
     * @return the number, or {@link #INVALID} if the word is not all digits
     */
    static int number(String word) {
        if (word.isEmpty() || word.length() > 20) {
            return word.isEmpty() ? INVALID : saturatedIfDigits(word);
        }
        long value = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                return INVALID;
            }
            value = value * 10 + (c - '0');
            if (value > Integer.MAX_VALUE) {
                return saturatedIfDigits(word);
            }
        }
        return (int) value;
    }

    private static int saturatedIfDigits(String word) {
        return word.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.MAX_VALUE : INVALID;
    }

    /**
     * Checks that a message-number argument names a live message (RFC 1939: deleted messages may not be referred to).
     *
     * @param session the session
     * @param word the argument
     * @return the error reply, or {@code null} when the word names a live message
     */
    static Reply messageError(SessionContext session, String word) {
        int number = number(word);
        if (number == INVALID) {
            return Replies.INVALID_NUMBER;
        }
        return session.maildrop().live(number) == null ? Replies.NO_SUCH_MESSAGE : null;
    }
}
