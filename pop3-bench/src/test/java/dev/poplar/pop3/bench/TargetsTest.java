package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

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
    void jamesRunsInItsOwnJvm(@TempDir Path dir) {
        Target james = Targets.create("james", BenchOptions.parse(new String[0], dir), dir);

        assertThat(james.name()).isEqualTo("james");
        assertThat(james.jvm()).isTrue();
        assertThat(james.restartForMemory()).isFalse();
    }
}
