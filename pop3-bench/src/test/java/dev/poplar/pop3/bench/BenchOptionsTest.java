package dev.poplar.pop3.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final Path ROOT = Path.of("/repo");

    @Test
    void smokeIsTheDefaultWithOneShortRunPerLoad() {
        BenchOptions options = BenchOptions.parse(new String[0], ROOT);

        assertThat(options.smoke()).isTrue();
        assertThat(options.runs()).isEqualTo(1);
        assertThat(options.targets()).containsExactly("poplar", "dovecot", "greenmail", "james", "canned");
        assertThat(options.targetsExplicit()).isFalse();
        assertThat(options.generators()).containsExactly("c");
        assertThat(options.loadBinary()).isEqualTo(ROOT.resolve("pop3-bench/target/pop3-load"));
        assertThat(options.out()).isEqualTo(ROOT.resolve("pop3-bench/target/bench-smoke"));
        assertThat(options.poplarJar()).isEqualTo(ROOT.resolve("examples/target/poplar-server.jar"));
    }

    @Test
    void poplarStartsWithAClassDataArchiveUnlessTurnedOff() {
        assertThat(BenchOptions.parse(new String[0], ROOT).poplarCds()).isTrue();
        assertThat(BenchOptions.parse(new String[] {"--poplar-cds", "off"}, ROOT).poplarCds()).isFalse();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchOptions.parse(new String[] {"--poplar-cds", "maybe"}, ROOT))
                .withMessage("--poplar-cds takes on or off, not 'maybe'");
    }

    @Test
    void fullRunsThreeTimesForFiveSecondsAndKeepsTargetsInReportOrder() {
        BenchOptions options = BenchOptions.parse(
                new String[] {"--full", "--targets", "canned,dovecot", "--loads", "retr,sessions"}, ROOT);

        assertThat(options.runs()).isEqualTo(3);
        assertThat(options.sessionDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.targets()).containsExactly("dovecot", "canned");
        assertThat(options.targetsExplicit()).isTrue();
        assertThat(options.loads()).containsExactlyInAnyOrder("sessions", "retr");
        assertThat(options.fixtureSpec().listCounts()).isEqualTo(List.of(10_000, 100_000));
        assertThat(options.generators()).containsExactly("c");
    }

    @Test
    void theSoakRunsTenMinutesInAFullRunAndSecondsInTheSmoke() {
        BenchOptions full = BenchOptions.parse(new String[] {"--full"}, ROOT);
        BenchOptions smoke = BenchOptions.parse(new String[0], ROOT);
        BenchOptions chosen = BenchOptions.parse(new String[] {"--loads", "soak", "--soak-seconds", "90",
                "--soak-clients", "3", "--soak-sample-seconds", "0.5"}, ROOT);

        assertThat(full.loads()).contains("soak");
        assertThat(full.soakDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(full.soakClients()).isEqualTo(8);
        assertThat(full.soakSample()).isEqualTo(Duration.ofSeconds(30));
        assertThat(smoke.loads()).contains("soak");
        assertThat(smoke.soakDuration()).isEqualTo(Duration.ofSeconds(8));
        assertThat(chosen.loads()).containsExactly("soak");
        assertThat(chosen.soakDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(chosen.soakClients()).isEqualTo(3);
        assertThat(chosen.soakSample()).isEqualTo(Duration.ofMillis(500));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchOptions.parse(new String[] {"--soak-clients", "0"}, ROOT))
                .withMessageContaining("--soak-clients");
    }

    @Test
    void theReportedCommandLeavesOutThePathsRunShAdds() {
        String[] args = {"--out", "/tmp/x/out", "--canned-binary", "/tmp/x/canned", "--load-binary", "/tmp/x/load",
                "--full", "--targets", "poplar", "--loads", "soak"};

        assertThat(BenchMain.commandLine(args)).isEqualTo("pop3-bench/run.sh --full --targets poplar --loads soak");
    }

    @Test
    void theFirstGeneratorGivesTheFiguresAndTheOrderIsKept() {
        BenchOptions options = BenchOptions.parse(new String[] {"--full", "--generator", "java,c,java"}, ROOT);

        assertThat(options.generators()).containsExactly("java", "c");
    }

    @Test
    void mistakesAreOneLineNamingTheOption() {
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse(new String[] {"--runs", "0"}, ROOT))
                .withMessage("--runs must be a positive whole number, not '0'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchOptions.parse(new String[] {"--targets", "exim"}, ROOT))
                .withMessage("--targets: unknown name 'exim'; known: poplar, poplar-local, poplar-fcntl, poplar-cached,"
                        + " poplar-openssl, poplar-jdk,"
                        + " poplar-jdbc, dovecot, greenmail, james, canned");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchOptions.parse(new String[] {"--generator", "rust"}, ROOT))
                .withMessage("--generator: unknown name 'rust'; known: c, java");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse(new String[] {"--out"}, ROOT))
                .withMessage("option --out needs a value");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse(new String[] {"--fast"}, ROOT))
                .withMessage("unknown option '--fast' (see --help)");
    }
}
