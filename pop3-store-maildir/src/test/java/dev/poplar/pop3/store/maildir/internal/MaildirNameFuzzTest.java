package dev.poplar.pop3.store.maildir.internal;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.poplar.pop3.store.MessageInfo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes Maildir file names: parsing, sizes, flags, delivery order and the unique-ids made from them. Runs its seeds in
 * every build (regression mode); {@code JAZZER_FUZZ=1} fuzzes (see the README's "Fuzzing" section).
 */
class MaildirNameFuzzTest {

    /**
     * Any file name takes apart into base and info that put it back together, has sizes that are absent or not
     * negative, takes flags canonically (ASCII order, once each, printable, idempotent), orders consistently, and
     * yields a valid RFC 1939 unique-id that depends on the base name only.
     *
     * <p>The input: the file name (UTF-8), then after an octet 0xFF the flags to add.
     *
     * @param input the fuzzer's input
     */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({":2,", ",S=", ",W=", ".M", "P", "R", "S", "T", "D", "F", "1700000000."})
    void anyNameTakesApartIntoAValidUniqueIdAndCanonicalFlags(byte[] input) {
        int split = indexOf(input, (byte) 0xFF);
        String fileName = new String(Arrays.copyOfRange(input, 0, split), StandardCharsets.UTF_8);
        String added = split < input.length
                ? new String(Arrays.copyOfRange(input, split + 1, input.length), StandardCharsets.UTF_8) : "";

        MaildirName name = MaildirName.parse(fileName);
        assertThat(name.fileName()).isEqualTo(fileName);
        assertThat(name.base()).doesNotContain(":");
        assertThat(name.base() + (name.info() == null ? "" : ":" + name.info())).isEqualTo(fileName);
        name.fileSize().ifPresent(size -> assertThat(size).isNotNegative());
        name.virtualSize().ifPresent(size -> assertThat(size).isNotNegative());
        assertThat(name.info() == null ? "" : name.info()).endsWith(name.flags());

        String flagged = name.withFlags(added);
        MaildirName reparsed = MaildirName.parse(flagged);
        assertThat(reparsed.base()).isEqualTo(name.base());
        String flags = reparsed.flags();
        assertThat(flags.chars()).allMatch(c -> c > 0x20 && c < 0x7F);
        assertThat(flags.chars().sorted().distinct().toArray()).isEqualTo(flags.chars().toArray());
        (name.flags() + added).chars().filter(c -> c > 0x20 && c < 0x7F)
                .forEach(c -> assertThat(reparsed.hasFlag((char) c)).isTrue());
        assertThat(reparsed.withFlags("")).isEqualTo(flagged);

        MaildirName.DeliveryKey key = name.deliveryKey();
        assertThat(key.seconds()).isNotNegative();
        assertThat(key.micros()).isNotNegative();
        assertThat(key.compareTo(reparsed.deliveryKey())).isZero();
        assertThat(MaildirName.DELIVERY_ORDER.compare(name, reparsed)).isZero();

        String uid = UniqueIds.of(name.base());
        assertThat(uid).hasSizeBetween(1, MessageInfo.MAX_UID_LENGTH);
        assertThat(uid.chars()).allMatch(c -> c >= 0x21 && c <= 0x7E);
        assertThat(UniqueIds.of(reparsed.base())).isEqualTo(uid);
        assertThat(new MessageInfo(uid, 0).uid()).isEqualTo(uid);
    }

    private static int indexOf(byte[] input, byte b) {
        for (int i = 0; i < input.length; i++) {
            if (input[i] == b) {
                return i;
            }
        }
        return input.length;
    }
}
