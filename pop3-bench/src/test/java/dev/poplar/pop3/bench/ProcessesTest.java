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
    void thisJvmHasResidentMemory() {
        Processes.Memory memory = Processes.memory(ProcessHandle.current());

        assertThat(memory.rssKib()).isPositive();
        assertThat(memory.pssKib()).isPositive();
    }
}
