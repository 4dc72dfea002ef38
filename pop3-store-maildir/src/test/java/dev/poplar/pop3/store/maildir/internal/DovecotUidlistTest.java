package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DovecotUidlistTest {

    static DovecotUidlist parse(String text) throws IOException {
        return DovecotUidlist.parse(Channels.newChannel(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void version3RecordsKeepTheirUidPop3UidlOrderAndGuidByBaseName() throws IOException {
        DovecotUidlist list = parse("3 V1234567890 N300 G0123\n"
                + "101 Pold-0001 W31 :1700000031.M1P9.host:2,S\n"
                + "150 O1 G0f0e :1700000033.M3P9.host\r\n"
                + "151 :name with a space:2,\n");

        assertThat(list.uidValidity()).isEqualTo(1234567890L);
        assertThat(list.record("1700000031.M1P9.host")).isEqualTo(new DovecotUidlist.Record(101, "old-0001", -1, null));
        assertThat(list.record("1700000033.M3P9.host")).isEqualTo(new DovecotUidlist.Record(150, null, 1, "0f0e"));
        assertThat(list.record("name with a space")).isEqualTo(new DovecotUidlist.Record(151, null, -1, null));
    }

    @Test
    void version1IsCouriersFormat() throws IOException {
        DovecotUidlist list = parse("1 1100000000 40\n5 1700000051.M1P12.courier:2,S\n9 1700000052.M2P12.courier\n");

        assertThat(list.uidValidity()).isEqualTo(1100000000L);
        assertThat(list.record("1700000051.M1P12.courier").uid()).isEqualTo(5);
        assertThat(list.record("1700000052.M2P12.courier").uid()).isEqualTo(9);
    }

    @Test
    void malformedAndDuplicateRecordsAreLeftOutAndTheFirstWins() throws IOException {
        DovecotUidlist list = parse("3 V7 N9\n"
                + "x :not-a-uid\n"
                + "0 :zero\n"
                + "4 no-colon-field\n"
                + "5 :first\n"
                + "5 :same-uid\n"
                + "6 :first\n"
                + "\n"
                + "7 :" + "y".repeat(DovecotUidlist.MAX_LINE) + "\n"
                + "8 :last");

        assertThat(list.records()).containsOnlyKeys("first", "last");
        assertThat(list.record("first").uid()).isEqualTo(5);
    }

    @Test
    void aHeaderOfAnotherVersionOrWithoutUidValidityMakesTheFileUnusable() throws IOException {
        assertThat(parse("2 1 2\n1 S :x\n")).isNull();
        assertThat(parse("3 N5 G00\n1 :x\n")).isNull();
        assertThat(parse("3 V0 N5\n1 :x\n")).isNull();
        assertThat(parse("")).isNull();
        assertThat(parse("garbage\n")).isNull();
    }
}
