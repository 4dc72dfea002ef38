package dev.poplar.pop3.store;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ContentFactsTest {

    static ContentFacts facts(String s) {
        return ContentFacts.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void crlfContentIsCountedAsIsAndIsWireReady() {
        assertThat(facts("a\r\nb\r\n")).isEqualTo(new ContentFacts(6, true));
    }

    @Test
    void everyBareLineFeedCountsTwoOctets() {
        assertThat(facts("a\nb\n")).isEqualTo(new ContentFacts(6, false));
    }

    @Test
    void aMissingFinalLineEndCountsTwoOctets() {
        assertThat(facts("abc")).isEqualTo(new ContentFacts(5, false));
    }

    @Test
    void emptyContentIsEmptyAndWireReady() {
        assertThat(facts("")).isEqualTo(new ContentFacts(0, true));
    }

    @Test
    void aLineStartingWithADotIsNotWireReadyButDoesNotChangeTheSize() {
        assertThat(facts("a\r\n.b\r\n")).isEqualTo(new ContentFacts(7, false));
    }

    @Test
    void eightBitOctetsCountOnce() {
        assertThat(facts("é\r\n").size()).isEqualTo(4);
    }

    @Test
    void streamsAndChannelsAgreeWithArraysAcrossBufferBoundaries() throws IOException {
        byte[] content = ("x".repeat(16 * 1024 - 1) + "\r\n.y\nz").getBytes(StandardCharsets.US_ASCII);
        ContentFacts expected = ContentFacts.of(content);
        assertThat(ContentFacts.scan(new ByteArrayInputStream(content))).isEqualTo(expected);
        assertThat(ContentFacts.scan(Channels.newChannel(new ByteArrayInputStream(content)))).isEqualTo(expected);
        assertThat(expected.size()).isEqualTo(content.length + 1 + 2);
    }
}
