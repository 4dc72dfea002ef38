package dev.poplar.pop3.store.maildir.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetrievalTimesTest {

    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    static RetrievalTimes read(String text) throws IOException {
        return RetrievalTimes.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    static String written(RetrievalTimes times) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        times.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void whatIsWrittenReadsBackTheSame() throws IOException {
        RetrievalTimes times = RetrievalTimes.none().with(List.of("1700000002.M2P1.host", "1700000001.M1P1.host"),
                NOW, base -> true);
        String text = written(times);
        assertThat(text).endsWith("1700000001.M1P1.host " + NOW.getEpochSecond() + "\n"
                + "1700000002.M2P1.host " + NOW.getEpochSecond() + "\n").startsWith("# Poplar");
        RetrievalTimes back = read(text);
        assertThat(back.same(times)).isTrue();
        assertThat(back.firstRetrieved("1700000001.M1P1.host")).contains(NOW);
        assertThat(back.firstRetrieved("1700000003.M3P1.host")).isEmpty();
    }

    @Test
    void aMessageKeepsItsFirstTimeAndMessagesNoLongerThereAreDropped() throws IOException {
        RetrievalTimes first = read("a 100\nb 200\n");
        RetrievalTimes next = first.with(List.of("a", "c"), NOW, Set.of("a", "c")::contains);
        assertThat(next.firstRetrieved("a")).contains(Instant.ofEpochSecond(100));
        assertThat(next.firstRetrieved("b")).isEmpty();
        assertThat(next.firstRetrieved("c")).contains(NOW);
        assertThat(next.size()).isEqualTo(2);
    }

    @Test
    void linesItCannotReadAreSkippedAndABaseNameWithSpacesIsKeptWhole() throws IOException {
        RetrievalTimes times = read("# comment\n\nno-time\nbad time\nodd name 300\r\nx 400\nx 350\n");
        assertThat(times.firstRetrieved("odd name")).contains(Instant.ofEpochSecond(300));
        assertThat(times.firstRetrieved("x")).as("the earliest of duplicates").contains(Instant.ofEpochSecond(350));
        assertThat(times.size()).isEqualTo(2);
    }

    @Test
    void aBaseNameWithALineBreakIsNotRecorded() throws IOException {
        RetrievalTimes times = RetrievalTimes.none().with(List.of("evil\n1 1", "good"), NOW, base -> true);
        assertThat(read(written(times)).size()).isEqualTo(1);
    }
}
