package dev.poplar.pop3.server.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ArgsTest {

    @Test
    void wordsAreSeparatedByRunsOfSpacesAfterTrimming() {
        assertThat(Args.words("")).isEmpty();
        assertThat(Args.words("   ")).isEmpty();
        assertThat(Args.words("1")).containsExactly("1");
        assertThat(Args.words("  1   10 ")).containsExactly("1", "10");
        assertThat(Args.words("alice\tx  y\u00a0z")).containsExactly("alice\tx", "y\u00a0z");
        assertThat(Args.words("\t1 2\r")).containsExactly("1", "2");
    }

    @Test
    void wordsAreWhatTrimAndASplitOnSpacesGive() {
        Random random = new Random(42);
        char[] alphabet = {' ', ' ', ' ', 'a', '1', '\t', '\u00a0', '.'};
        for (int round = 0; round < 10_000; round++) {
            char[] text = new char[random.nextInt(12)];
            for (int i = 0; i < text.length; i++) {
                text[i] = alphabet[random.nextInt(alphabet.length)];
            }
            String argument = new String(text);
            String trimmed = argument.trim();
            String[] expected = trimmed.isEmpty() ? new String[0] : trimmed.split(" +");
            assertThat(Args.words(argument)).as("words of [%s]", argument).containsExactly(expected);
        }
    }
}
