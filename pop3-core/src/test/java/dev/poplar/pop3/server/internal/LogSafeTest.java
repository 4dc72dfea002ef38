package dev.poplar.pop3.server.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Client text cannot forge or flood a log line. */
class LogSafeTest {

    @Test
    void lineBreaksCannotStartAFakeLogLine() {
        assertThat(LogSafe.text("alice\nINFO login succeeded for root\r\n"))
                .isEqualTo("alice\\nINFO login succeeded for root\\r\\n")
                .doesNotContain("\n", "\r");
    }

    @Test
    void terminalEscapesAndOtherControlsAreEscaped() {
        assertThat(LogSafe.text("\u001b[2J\u0000\u0085\u2028\u202e"))
                .isEqualTo("\\u001b[2J\\u0000\\u0085\\u2028\\u202e");
    }

    @Test
    void backslashesAreEscapedSoThatEscapesCannotBeForged() {
        assertThat(LogSafe.text("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    void printableTextIsUnchangedAndUnicodeStays() {
        assertThat(LogSafe.text("Jürgen Müller <jm@example.com>")).isEqualTo("Jürgen Müller <jm@example.com>");
    }

    @Test
    void longTextIsCut() {
        String safe = LogSafe.text("x".repeat(10_000));
        assertThat(safe).startsWith("x".repeat(LogSafe.MAX_CHARS)).endsWith("...(" + (10_000 - LogSafe.MAX_CHARS)
                + " more)");
        assertThat(safe.length()).isLessThan(200);
    }
}
