package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MaildirNameTest {

    @Nested
    class Parts {

        @Test
        void theBaseIsEverythingBeforeTheFirstColon() {
            MaildirName name = MaildirName.parse("1700000000.M1P2.host,S=10,W=12:2,FS");
            assertThat(name.base()).isEqualTo("1700000000.M1P2.host,S=10,W=12");
            assertThat(name.info()).isEqualTo("2,FS");
            assertThat(name.flags()).isEqualTo("FS");
        }

        @Test
        void aNameInNewHasNoInfoAndNoFlags() {
            MaildirName name = MaildirName.parse("1700000000.M1P2.host");
            assertThat(name.info()).isNull();
            assertThat(name.flags()).isEmpty();
            assertThat(name.hasFlag('S')).isFalse();
        }

        @Test
        void sizeFieldsAreReadFromTheBaseOnly() {
            MaildirName name = MaildirName.parse("1700000000.M1P2.host,S=10,W=12:2,S");
            assertThat(name.fileSize()).hasValue(10);
            assertThat(name.virtualSize()).hasValue(12);
            assertThat(MaildirName.parse("1700000000.M1P2.host:2,W=12").virtualSize()).isEmpty();
            assertThat(MaildirName.parse("1700000000.M1P2.host,W=x1").virtualSize()).isEmpty();
            assertThat(MaildirName.parse("1700000000.M1P2.host,W=").virtualSize()).isEmpty();
            assertThat(MaildirName.parse("1700000000.M1P2.host").fileSize()).isEmpty();
        }
    }

    @Nested
    class Flags {

        @Test
        void addedFlagsAreMergedInAsciiOrderWithoutDuplicates() {
            assertThat(MaildirName.parse("b:2,SF").withFlags("TS")).isEqualTo("b:2,FST");
            assertThat(MaildirName.parse("b").withFlags("T")).isEqualTo("b:2,T");
            assertThat(MaildirName.parse("b:2,").withFlags("S")).isEqualTo("b:2,S");
        }

        @Test
        void anInfoOfAnotherKindIsReplaced() {
            assertThat(MaildirName.parse("b:1,experimental").withFlags("T")).isEqualTo("b:2,T");
        }
    }

    @Nested
    class DeliveryOrder {

        @Test
        void messagesSortBySecondThenMicrosecondThenName() {
            List<MaildirName> names = new ArrayList<>(List.of(
                    MaildirName.parse("1700000002.M5P1.host"),
                    MaildirName.parse("1700000001.M20P1.host"),
                    MaildirName.parse("1700000001.M3P1.host"),
                    MaildirName.parse("1700000001.V801I2M7.postfix"),
                    MaildirName.parse("not-a-time"),
                    MaildirName.parse("1700000001.12345_1.qmail")));
            names.sort(MaildirName.DELIVERY_ORDER);
            assertThat(names).extracting(MaildirName::base).containsExactly(
                    "1700000001.12345_1.qmail", "1700000001.M3P1.host", "1700000001.V801I2M7.postfix",
                    "1700000001.M20P1.host", "1700000002.M5P1.host", "not-a-time");
        }
    }
}
