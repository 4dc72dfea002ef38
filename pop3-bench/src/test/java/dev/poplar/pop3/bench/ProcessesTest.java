package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcessesTest {

    @Test
    void readsTheUsedHeapFromJcmdOutput() throws IOException {
        String g1 = """
                12345:
                 garbage-first heap   total 262144K, used 23456K [0x0000000700000000, 0x0000000800000000)
                  region size 2048K, 1 young (2048K), 0 survivors (0K)
                 Metaspace       used 4321K, committed 4480K, reserved 1114112K
                """;

        assertThat(Processes.heapUsedKib(g1)).isEqualTo(23456);
    }

    @Test
    void outputWithoutAHeapFigureIsAnError() {
        assertThatIOException().isThrownBy(() -> Processes.heapUsedKib("12345:\nCommand not found\n"))
                .withMessageContaining("no heap figure");
    }

    @Test
    void cpuTicksAreUserSystemAndReapedChildrenTimesEvenWithSpacesInTheCommandName() {
        String stat = "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 40 7 3 20 0 12 0 1000 "
                + "123456 789 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

        assertThat(Processes.cpuTicks(stat)).isEqualTo(250 + 40 + 7 + 3);
    }

    @Test
    void thisJvmsCpuTimeGrowsWhileItWorks() {
        double before = Processes.cpuSeconds(ProcessHandle.current());
        long until = System.nanoTime() + 200_000_000L;
        long spin = 0;
        while (System.nanoTime() < until) {
            spin += Long.numberOfTrailingZeros(spin + 1);
        }

        assertThat(Processes.cpuSeconds(ProcessHandle.current()) - before).as("spun %d", spin).isGreaterThan(0.05);
    }

    @Test
    void thisJvmHasResidentMemory() {
        Processes.Memory memory = Processes.memory(ProcessHandle.current());

        assertThat(memory.rssKib()).isPositive();
        assertThat(memory.pssKib()).isPositive();
    }
}
