package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The expected values are what Dovecot 2.3.19 gave for UID 1234, UIDVALIDITY 1234567 and the file shown. */
class UidlFormatTest {

    static final String BASE = "1700000001.M1P1.Host,S=17";

    @ParameterizedTest(name = "{0} gives {1}")
    @CsvSource(delimiter = '|', value = {
        "%08Xu%08Xv | 000004d20012d687",
        "%f | 1700000001.M1P1.Host,S=17",
        "%g | 9abc",
        "%3u | 123",
        "%08u | 00001234",
        "%02u | 1234",
        "%02Xv | 12d687",
        "%5Xu | 4d2",
        "UID%u-%v | UID1234-1234567",
        "%Xv.%Lu | 12d687.1234",
        "%Uf | 1700000001.M1P1.HOST,S=17",
        "%4f | 1700",
        "100%% %u | 100% 1234"})
    void formatsAsDovecotDoes(String template, String expected) {
        assertThat(UidlFormat.parse(template).format(1234, 1234567, BASE, "9abc")).isEqualTo(expected);
    }

    @Test
    void theGuidIsTheBaseNameWhenTheUidlistHasNone() {
        assertThat(UidlFormat.parse("%g").format(1, 1, BASE, null)).isEqualTo(BASE);
    }

    @Test
    void dovecotsDefaultIsEightLowerCaseHexDigitsOfUidThenUidValidity() {
        assertThat(UidlFormat.parse(UidlFormat.DOVECOT_DEFAULT).format(1, 0x6b0ae83eL, BASE, null))
                .isEqualTo("000000016b0ae83e");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%", "%08X", "%m", "%n", "%Xf", "%{uid}", "%99u"})
    void whatIsNotOfferedIsRefused(String template) {
        assertThatThrownBy(() -> UidlFormat.parse(template)).isInstanceOf(IllegalArgumentException.class);
    }
}
