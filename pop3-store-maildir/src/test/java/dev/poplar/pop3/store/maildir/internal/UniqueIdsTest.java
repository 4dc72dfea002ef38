package dev.poplar.pop3.store.maildir.internal;

import dev.poplar.pop3.store.MessageInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UniqueIdsTest {

    @Test
    void aPrintableBaseOfAtMostSeventyCharactersIsItsOwnUid() {
        String base = "1700000000.M123456P4242.mail.example.org,S=1234,W=1260";
        assertThat(UniqueIds.of(base)).isEqualTo(base);
        assertThat(UniqueIds.of("x".repeat(70))).isEqualTo("x".repeat(70));
    }

    @Test
    void aLongerBaseIsHashedKeepingAReadablePrefix() {
        String uid = UniqueIds.of("y".repeat(71));
        assertThat(uid).hasSize(68).startsWith("y".repeat(40) + "~");
        assertThat(new MessageInfo(uid, 0).uid()).isEqualTo(uid);
    }

    @Test
    void charactersOutsidePrintableAsciiAreReplacedInThePrefixAndTheWholeBaseIsHashed() {
        String withSpace = UniqueIds.of("a b");
        String withUnderscore = UniqueIds.of("a_b");
        assertThat(withSpace).startsWith("a_b~").hasSize(31);
        assertThat(withUnderscore).isEqualTo("a_b");
        assertThat(UniqueIds.of("a\u00e9b")).startsWith("a_b~").isNotEqualTo(withSpace);
    }

    @Test
    void theSameBaseAlwaysGivesTheSameUid() {
        assertThat(UniqueIds.of("caf\u00e9 " + "z".repeat(80))).isEqualTo(UniqueIds.of("caf\u00e9 " + "z".repeat(80)));
    }

    @Test
    void anEmptyBaseStillGetsAValidUid() {
        assertThat(new MessageInfo(UniqueIds.of(""), 0).uid()).startsWith("~");
    }
}
