package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogWatchTest {

    @TempDir
    Path dir;

    @Test
    void aServerWhoseLogPassesTheLimitIsStopped() throws Exception {
        Path log = dir.resolve("server.log");
        Process spewing = new ProcessBuilder("sh", "-c", "while :; do echo 'an error, again and again'; done")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            LogWatch watch = LogWatch.start(spewing, log, 64 * 1024, Duration.ofMillis(20));
            assertThat(spewing.waitFor(20, TimeUnit.SECONDS)).as("stopped").isTrue();
            assertThat(watch.exceeded()).isTrue();
            assertThat(watch.reason()).startsWith("its log passed 0 MiB and it was stopped");
            assertThat(Files.size(log)).isGreaterThan(64 * 1024);
        } finally {
            spewing.destroyForcibly();
        }
    }

    @Test
    void aQuietServerIsLeftAlone() throws Exception {
        Path log = dir.resolve("server.log");
        Process quiet = new ProcessBuilder("sh", "-c", "echo started; sleep 0.3; echo done")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LogWatch watch = LogWatch.start(quiet, log, 64 * 1024, Duration.ofMillis(20));
        assertThat(quiet.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(quiet.exitValue()).isZero();
        assertThat(watch.exceeded()).isFalse();
        assertThat(watch.reason()).isEmpty();
        assertThat(LogWatch.tail(log, 15)).containsExactly("started", "done");
    }

    @Test
    void theTailOfALargeLogIsItsLastLines() throws Exception {
        Path log = dir.resolve("server.log");
        Files.writeString(log, IntStream.range(0, 200_000).mapToObj(i -> "line " + i)
                .collect(Collectors.joining("\n", "", "\n")));
        assertThat(LogWatch.tail(log, 3)).containsExactly("line 199997", "line 199998", "line 199999");
        assertThat(LogWatch.tail(log, 100_000)).hasSizeLessThan(10_000).endsWith("line 199999")
                .allMatch(l -> l.startsWith("line "));
    }
}
