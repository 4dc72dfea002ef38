package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A measured RETR run: passes again and again for a minimum time, added up. */
class RetrRepeatTest {

    private static RetrLoad.Result pass(long octets, long messages, double seconds, double cpu) {
        return new RetrLoad.Result(octets, messages, seconds, new RunFailures(), cpu);
    }

    @Test
    void passesRunUntilTheMinimumTimeAndAddUp() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        RetrLoad.Result result = RetrLoad.repeat(Duration.ofMillis(120), () -> {
            passes.incrementAndGet();
            clock.addAndGet(Duration.ofMillis(20).toNanos());
            return pass(1_000_000, 20, 0.02, 0.01);
        }, clock::get);

        assertThat(passes.get()).isEqualTo(6);
        assertThat(result.messages()).isEqualTo(20L * passes.get());
        assertThat(result.octets()).isEqualTo(1_000_000L * passes.get());
        assertThat(result.seconds()).isCloseTo(0.02 * passes.get(), within(1e-9));
        assertThat(result.generatorCpuSeconds()).isCloseTo(0.01 * passes.get(), within(1e-9));
        assertThat(result.megabytesPerSecond()).isCloseTo(50.0, within(1e-6));
        assertThat(result.failures().count()).isZero();
    }

    @Test
    void onePassRunsEvenWithoutTimeAndAFailedPassEndsTheRun() throws Exception {
        AtomicInteger passes = new AtomicInteger();
        RetrLoad.Result once = RetrLoad.repeat(Duration.ZERO, () -> {
            passes.incrementAndGet();
            return pass(10, 1, 0.001, 0);
        });
        assertThat(passes.get()).isEqualTo(1);
        assertThat(once.messages()).isEqualTo(1);

        passes.set(0);
        RetrLoad.Result failed = RetrLoad.repeat(Duration.ofSeconds(30), () -> {
            RunFailures failures = new RunFailures();
            if (passes.incrementAndGet() == 2) {
                failures.add(new IOException("connection reset"));
            }
            return new RetrLoad.Result(10, 1, 0.001, failures, 0);
        });
        assertThat(passes.get()).isEqualTo(2);
        assertThat(failed.messages()).isEqualTo(2);
        assertThat(failed.failures().count()).isEqualTo(1);
        assertThat(failed.failures().first()).isEqualTo("IOException: connection reset");
    }
}
