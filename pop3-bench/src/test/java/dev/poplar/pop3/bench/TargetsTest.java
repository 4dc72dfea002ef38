package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {

    @Test
    void dovecotThatIsNotInstalledIsAReasonNotToRunIt(@TempDir Path dir) {
        BenchOptions options = BenchOptions.parse(new String[] {"--dovecot-binary", "no-such-dovecot-here"}, dir);

        assertThatIllegalArgumentException().isThrownBy(() -> Targets.create("dovecot", options, dir))
                .withMessageStartingWith("target dovecot needs no-such-dovecot-here");
    }

    @Test
    void poplarRunsWithTheHeapSettingsOfTheDistributionsLauncher() throws Exception {
        String launcher = Files.readString(Path.of("..", "examples", "src", "dist", "bin", "poplar"));
        String options = launcher.lines().filter(line -> line.startsWith("jvm_options=")).findFirst().orElseThrow();

        assertThat(options).contains(Targets.LAUNCHER_HEAP_OPTIONS);
    }

    @Test
    void jamesRunsInItsOwnJvm(@TempDir Path dir) {
        Target james = Targets.create("james", BenchOptions.parse(new String[0], dir), dir);

        assertThat(james.name()).isEqualTo("james");
        assertThat(james.jvm()).isTrue();
        assertThat(james.restartForMemory()).isFalse();
    }
}
